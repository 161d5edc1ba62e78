// Package bench holds hoard's comparisons with the bare handler and with
// peer caching libraries, and its load tools. Its peer dependencies stay in
// this module so no other module's go.mod carries them.
package bench
