# Two entry points for a fresh machine (Python 3.11, pip, make): `make demo`, `make test`.
# Both create .venv once and reuse it; a changed pyproject.toml reinstalls.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     := examples/out

.PHONY: setup fonts demo test fuzz bench clean

setup: $(STAMP) fonts

# System packages the PDF renderer needs, from Debian, installed rather than assumed:
# Noto Sans/Serif CJK (SIL OFL) so Chinese glyphs are embedded, and HarfBuzz's subsetter,
# which WeasyPrint uses to subset those large fonts in a fraction of a second (fontTools
# takes ~8 s per document). Needs root (or sudo) the first time only.
fonts:
	@{ fc-list :lang=zh-cn family 2>/dev/null | grep -q "Noto Serif CJK SC" && ldconfig -p | grep -q libharfbuzz-subset; } || { \
	  echo "installing fonts-noto-cjk and libharfbuzz-subset0 (Chinese glyphs and fast font subsetting for PDFs)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends fontconfig fonts-noto-cjk libharfbuzz-subset0; }

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

demo: setup
	@mkdir -p $(OUT)
	$(BIN)/slagen validate examples/*.yaml policies/*.yaml
	@# exit status 3 means "a KPI was missed", which is what the example month shows
	$(BIN)/slagen evaluate examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 -o $(OUT)/dingtalk-2026-10.txt || [ $$? -eq 3 ]
	$(BIN)/slagen evaluate examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 --format json -o $(OUT)/dingtalk-2026-10.json || [ $$? -eq 3 ]
	@# the contract's SLA schedule: English, Simplified and Traditional Chinese, and each side by side with English
	for lang in en zh-Hans zh-Hant en+zh-Hans en+zh-Hant; do for fmt in md pdf docx; do \
	  $(BIN)/slagen clauses examples/dingtalk-enterprise.yaml --lang $$lang -o $(OUT)/dingtalk-sla.$$lang.$$fmt || exit 1; done; done
	$(BIN)/slagen clauses examples/dingtalk-enterprise.yaml --lang en+zh-Hans -o $(OUT)/dingtalk-sla.en+zh-Hans.html
	@# every bundled vendor policy's schedule in Word, in every language and side by side
	for p in policies/*.yaml; do for lang in en zh-Hans zh-Hant en+zh-Hans en+zh-Hant; do \
	  $(BIN)/slagen clauses $$p --lang $$lang -o $(OUT)/$$(basename $$p .yaml)-sla.$$lang.docx || exit 1; done; done
	@# the monthly report (PDF/A with the evaluation attached, Word) and a verifiable audit pack
	$(BIN)/slagen report examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 -o $(OUT)/dingtalk-report-2026-10.pdf
	$(BIN)/slagen report examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 -o $(OUT)/dingtalk-report-2026-10.docx
	for lang in zh-Hans zh-Hant; do for fmt in pdf docx; do \
	  $(BIN)/slagen report examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 --lang $$lang -o $(OUT)/dingtalk-report-2026-10.$$lang.$$fmt || exit 1; done; done
	rm -f $(OUT)/dingtalk-pack-2026-10.zip
	$(BIN)/slagen pack examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \
	    --period 2026-10 --as-of 2026-11-01T00:30:00+08:00 -o $(OUT)/dingtalk-pack-2026-10.zip
	$(BIN)/slagen verify $(OUT)/dingtalk-pack-2026-10.zip --recompute
	@# procurement: the bundled vendor policies side by side and under the built-in bad months,
	@# every amount in USD at the example rates of examples/fx/usd-2026-11.yaml, one buyer's loss
	for fmt in md csv pdf docx; do \
	  $(BIN)/slagen compare policies/ examples/dingtalk-enterprise.yaml --currency USD --fx examples/fx/usd-2026-11.yaml \
	    --loss-per-minute 500 USD -o $(OUT)/vendor-comparison.$$fmt || exit 1; done
	for lang in zh-Hans zh-Hant; do for fmt in pdf docx; do \
	  $(BIN)/slagen compare policies/ examples/dingtalk-enterprise.yaml --currency USD --fx examples/fx/usd-2026-11.yaml \
	    --loss-per-minute 500 USD --lang $$lang -o $(OUT)/vendor-comparison.$$lang.$$fmt || exit 1; done; done
	@# the ledger: three months recorded (rolling cap read from the ledger), claims listed and one filed, the annual view
	rm -f $(OUT)/ledger.sqlite
	for period in 2026-08 2026-09; do \
	  $(BIN)/slagen evaluate examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-08-09.csv --period $$period \
	      --as-of 2026-11-01T00:30:00+08:00 --ledger $(OUT)/ledger.sqlite --record -o $(OUT)/dingtalk-$$period.txt; [ $$? -eq 3 ] || exit 1; done
	$(BIN)/slagen evaluate examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10 \
	    --as-of 2026-11-01T00:30:00+08:00 --ledger $(OUT)/ledger.sqlite --record -o $(OUT)/dingtalk-2026-10.ledger.txt || [ $$? -eq 3 ]
	$(BIN)/slagen claims --ledger $(OUT)/ledger.sqlite --as-of 2026-11-20
	@# exit status 3 means "a claim deadline is near", which is what the reminder cron is for
	$(BIN)/slagen claims --ledger $(OUT)/ledger.sqlite --as-of 2026-11-20 --due-within 14d || [ $$? -eq 3 ]
	$(BIN)/slagen claims file 3 --ref DT-CASE-20261120 --on 2026-11-20 --ledger $(OUT)/ledger.sqlite
	$(BIN)/slagen claims --ledger $(OUT)/ledger.sqlite --as-of 2026-11-20 --format json -o $(OUT)/claims.json
	$(BIN)/slagen roi --year 2026 --ledger $(OUT)/ledger.sqlite --as-of 2026-12-01 --format json -o $(OUT)/roi-2026.json
	$(BIN)/slagen roi --year 2026 --ledger $(OUT)/ledger.sqlite --as-of 2026-12-01 -o $(OUT)/roi-2026.txt
	@cat $(OUT)/dingtalk-2026-10.txt
	@cat $(OUT)/roi-2026.txt

test: setup
	$(BIN)/python -m pytest -q -n auto  # one worker per core (2 on the project's machines)

# The long random fuzz: the same fuzz tests as `make test`, with many more inputs each,
# the long hostile cases (100k rows with one bad row) and the quiet-Spark CLI run (a second JVM).
fuzz: setup
	SLAGEN_FUZZ_EXAMPLES=$${SLAGEN_FUZZ_EXAMPLES:-20000} SLAGEN_LONG=1 $(BIN)/python -m pytest -q -n auto \
	    tests/test_fuzz.py tests/test_numbers.py tests/test_cli_fuzz.py tests/test_properties.py \
	    tests/test_incident_edges.py tests/test_hostile.py tests/test_telemetry_spark.py \
	    -k "fuzz or 100k or test_properties or test_numbers or writes_only_its_own_lines"

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,spark,bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
