// Progressive enhancement of the procedure page: a "copy" button under each Zalo message box. Without
// JavaScript the boxes stay selectable; nothing else on the page needs a script.
"use strict";
document.querySelectorAll(".zalo-message textarea").forEach(function (box) {
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = box.dataset.copyLabel;
  button.addEventListener("click", function () {
    box.select();
    var done = function () { button.textContent = box.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  box.insertAdjacentElement("afterend", button);
});
