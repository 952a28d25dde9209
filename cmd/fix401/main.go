// Command fix401 troubleshoots HTTP 401 Unauthorized errors in a real
// headless browser and proves which remedy fixed them.
package main

import (
	"os"

	"github.com/fix401/fix401/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
