.PHONY: run test build bench fmt
run:
	go run ./cmd/loa serve --demo
test:
	bash scripts/test.sh
build:
	go build -o loa ./cmd/loa
bench:
	go test -run='^$$' -bench=. -benchmem ./...
fmt:
	gofmt -w $$(git ls-files '*.go')
