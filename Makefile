# The two commands: `make dev` runs everything locally, `make test` runs every test.
# Both install what they need and stop what they start; settings live in infra/local.env.

.PHONY: dev test stack-up stack-down

dev:
	scripts/dev.sh

test:
	scripts/test.sh

# Emulators alone, for running single tests with cargo test (see README).
stack-up:
	scripts/stack.sh start

stack-down:
	scripts/stack.sh stop

# Deployment to AWS (README, "Deploy"): `make build` lints the template (sam validate --lint)
# and builds every function for arm64 with sam build; `make deploy` builds, then deploys
# with `sam deploy --guided` (answers saved in infra/samconfig.toml).
.PHONY: build deploy

build:
	scripts/sam.sh build

deploy: build
	scripts/sam.sh deploy --guided

# Benchmarks on the local stack with release builds, into docs/benchmarks.md and
# docs/benchmarks.json; a bounded load run on 127.0.0.1. Neither is part of `make test`.
.PHONY: bench load

bench:
	scripts/bench.sh

load:
	scripts/load.sh
