# make run: install what is missing, migrate, load the demo city, serve on 127.0.0.1:8000.
# make test: ruff and the import contracts, then the whole suite, on PostgreSQL and SQLite, with a real Redis.
export FLASK_APP := wsgi
# make run and make bench are development: keys missing from the environment are generated under
# instance/ (kernel/settings.py). A deployment runs in production (the default) with its own keys.
run bench: export APP_ENV ?= development

.PHONY: run test bench

.venv/.run: requirements.txt
	scripts/bootstrap.sh requirements.txt
	touch $@

.venv/.test: requirements.txt requirements-dev.txt
	scripts/bootstrap.sh requirements-dev.txt
	touch .venv/.run $@

run: .venv/.run
	scripts/services.sh
	.venv/bin/flask db upgrade
	.venv/bin/flask demo load
	scripts/run.sh

test: .venv/.test
	scripts/lint.sh
	scripts/services.sh --postgres
	scripts/browser.sh
	scripts/test.sh

# make bench: intake and scale-out benchmarks on the appeals_bench database (figures in docs/performance.md),
# then the router's learning curve and throughput (figures in README.md).
bench: .venv/.run
	scripts/services.sh --postgres
	PGPASSWORD=postgres .venv/bin/python -m bench.intake
	PGPASSWORD=postgres .venv/bin/python -m bench.scale_out
	.venv/bin/python -m bench.routing_learning_curve
	.venv/bin/python -m bench.routing_throughput
