// An unchanged Go program: plex.tv's PIN flow with net/http's default client, which
// reads HTTPS_PROXY and (on Linux) SSL_CERT_FILE. Run with nothing but the variables of
// mockplex's env file, it reaches the mock through the proxy. Prints the pin as a JSON
// line, waits for a line on stdin (the human step, done by the test), then prints the
// polled pin's token as a JSON line.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

type pin struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	AuthToken *string `json:"authToken"`
}

func call(method, url string) (pin, int) {
	request, err := http.NewRequest(method, url, nil)
	check(err)
	request.Header.Set("Accept", "application/json")
	request.Header.Set("X-Plex-Client-Identifier", "unchanged-go-app")
	request.Header.Set("X-Plex-Product", "Unchanged")
	response, err := http.DefaultClient.Do(request)
	check(err)
	defer response.Body.Close()
	var answer pin
	check(json.NewDecoder(response.Body).Decode(&answer))
	return answer, response.StatusCode
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	created, status := call("POST", "https://plex.tv/api/v2/pins")
	line, _ := json.Marshal(map[string]any{"pinId": created.ID, "status": status})
	fmt.Println(string(line))
	bufio.NewReader(os.Stdin).ReadString('\n')
	polled, status := call("GET", fmt.Sprintf("https://plex.tv/api/v2/pins/%d", created.ID))
	line, _ = json.Marshal(map[string]any{"token": polled.AuthToken, "status": status})
	fmt.Println(string(line))
}
