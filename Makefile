.PHONY: run test build bench fmt deb
# Version and commit go into the binary (loa version, /healthz).
# A release tag v1.2.3 gives 1.2.3 (commits after it: 1.2.3+5.gabc1234);
# without tags 0.0.0+gitabc1234 (valid as a Debian version too).
VERSION ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' 2>/dev/null | sed -e 's/^v//' -e 's/-\([0-9]*\)-g/+\1.g/'); [ -n "$$v" ] && echo "$$v" || echo "0.0.0+git$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/loa-project/loa/internal/cli.Version=$(VERSION) -X github.com/loa-project/loa/internal/cli.Commit=$(COMMIT)
run:
	go run -ldflags "$(LDFLAGS)" ./cmd/loa serve --demo
test:
	bash scripts/test.sh
build:
	go build -ldflags "$(LDFLAGS)" -o loa ./cmd/loa
deb:
	VERSION="$(VERSION)" COMMIT="$(COMMIT)" bash scripts/deb.sh
bench:
	go test -run='^$$' -bench=. -benchmem ./...
fmt:
	gofmt -w $$(git ls-files '*.go')
