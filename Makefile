# Trợ lý Dịch vụ công — the two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
RASA_FILES := --data nlu_data --domain domain.yml --config config.yml
RESULTS := results

.PHONY: run run-cluster test lint venv system-deps train validate unit e2e stories nlu-eval conversation-eval understanding-eval dialogue-eval bench bench-load clean

## Start the assistant on embedded defaults (trains a model first when data changed).
run: train
	$(PY) -m bot.run

## The scaled-out stack on this machine: nginx, 2 Rasa + 2 action servers, PostgreSQL + Redis (README "Cluster").
run-cluster: train system-deps
	$(PY) -m bot.run --cluster

## The whole test suite: what .ci/run runs.
test: venv system-deps lint validate train
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory stories nlu-eval

## ruff (pinned): lint and format check over the whole tree (ruff.toml).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

system-deps:
	@scripts/system-deps.sh

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements.lock scripts/venv.sh
	scripts/venv.sh

validate: venv
	@mkdir -p $(RESULTS)
	$(RASA) data validate $(RASA_FILES) --fail-on-warnings > $(RESULTS)/validate.log 2>&1 \
	  || { tail -40 $(RESULTS)/validate.log; exit 1; }
	@echo "rasa data validate: ok"

## Train when data, domain or config changed (Rasa compares fingerprints and skips otherwise). Rasa's cache
## does not see changes to our own NLU code, so a change there forces a full training.
NLU_CODE := bot/vntext.py bot/data/abbreviations.tsv $(wildcard bot/nlu/*.py) bot/dossier/codes.py \
  $(wildcard bot/privacy/*.py)
train: venv
	@mkdir -p $(RESULTS) models
	@echo "Training (log: $(RESULTS)/train.log) ..."
	@code=$$(cat $(NLU_CODE) | sha256sum | cut -c1-16); \
	  force=""; [ "$$(cat models/.nlu-code 2>/dev/null)" = "$$code" ] || force="--force"; \
	  $(RASA) train $(RASA_FILES) --out models $$force > $(RESULTS)/train.log 2>&1 \
	  || { tail -40 $(RESULTS)/train.log; exit 1; }; \
	  echo "$$code" > models/.nlu-code; \
	  ls -t models/*.tar.gz | tail -n +4 | xargs -r rm -f  # keep the three newest models
	@grep -Eo "models/[^' ]+\.tar\.gz" $(RESULTS)/train.log | tail -1 || true

unit: venv
	$(PY) -m pytest -q -m "not rasa"

e2e: venv train
	$(PY) -m pytest -q -m rasa

## Conversation tests: every test story must be predicted exactly (by Rasa with the server's patches).
stories: venv
	$(PY) -m bot.stack.rasa_patches test core --stories tests/stories --model models --out $(RESULTS)/stories \
	  --fail-on-prediction-errors > $(RESULTS)/stories.log 2>&1 \
	  || { tail -60 $(RESULTS)/stories.log; exit 1; }
	@echo "rasa test core (tests/stories): all stories predicted correctly"

## NLU evaluation on tests/nlu, which is never trained on; fails under the accuracy targets.
nlu-eval: venv
	$(PY) -m bot.tools.nlu_eval --model models --data tests/nlu --out $(RESULTS)/nlu

## Whole conversations written blind (tests/conversations_blind), played over REST: a measure, not a test.
conversation-eval: venv train
	$(PY) -m bot.tools.conversation_eval

## Query understanding on the blind set (tests/understanding_blind/dev.yml; SET=... for another), over REST.
SET ?= tests/understanding_blind/dev.yml
understanding-eval: venv train
	$(PY) -m bot.tools.understanding_eval --set $(SET)

## Whole conversations of three personas written blind (tests/conversations_blind2/dev.yml; SET=...), over REST.
dialogue-eval: venv train
	$(PY) -m bot.tools.dialogue_eval --set $(or $(DIALOGUE_SET),tests/conversations_blind2/dev.yml)

bench: venv train
	$(PY) -m bot.tools.bench --out $(RESULTS)/bench.md

## Load benchmark over REST (closed/open loop, one long conversation, CPU and memory per process). Starts its own
## stack, or loads a running one: `make bench-load LOAD_URL=http://127.0.0.1:8000 LOAD_ARGS="--pid rasa-1=123"`.
bench-load: venv train
	$(PY) -m bot.tools.load_bench --out $(RESULTS)/load.md $(if $(LOAD_URL),--url $(LOAD_URL)) $(LOAD_ARGS)

clean:
	rm -rf $(RESULTS) models var/log
