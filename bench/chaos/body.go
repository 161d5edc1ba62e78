package chaos

import "net/url"

// Body is what the chaos server answers for /item/{id}?s={scenario}: a
// pure function of the URL, so any response served for the wrong URL (a
// poisoned or mixed-up entry) is caught by comparing bytes. It starts
// "item <id> <scenario> v1\n" and repeats that line up to size bytes.
func Body(id, scenario string, size int) []byte {
	line := "item " + id + " " + scenario + " v1\n"
	if size < len(line) {
		size = len(line)
	}
	b := make([]byte, 0, size)
	for len(b) < size {
		b = append(b, line[:min(len(line), size-len(b))]...)
	}
	return b
}

// Path returns the request path and query for an item: what the load
// generator sends and [Body] answers.
func Path(id, scenario string) string {
	return "/item/" + url.PathEscape(id) + "?s=" + url.QueryEscape(scenario)
}
