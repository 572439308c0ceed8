package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/loa-project/loa/internal/docparse"
)

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	f, err := docparse.ParseFile(context.Background(), data, os.Args[1])
	if err != nil {
		fmt.Println("ERR:", err)
		return
	}
	if len(os.Args) < 3 {
		f.Body = nil
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	fmt.Println(string(b))
}
