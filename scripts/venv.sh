#!/usr/bin/env bash
# Create .venv with Python 3.10 (Rasa 3.6 does not install on 3.11+) and install the pinned packages.
# Re-runs only when requirements change (make tracks .venv/.installed).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! py=$(find_python310); then
    cat >&2 <<'MSG'
Python 3.10 is required (Rasa 3.6 does not install on 3.11 or newer) and none was found.
Install it, for example:
  pyenv install 3.10.13            # then run make again
  or: sudo apt-get install python3.10 python3.10-venv
Or point PYTHON310 at an interpreter: make run PYTHON310=/path/to/python3.10
MSG
    exit 1
  fi
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip==24.2
# requirements.lock pins every transitive package; requirements.txt names what we use directly.
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
touch .venv/.installed
