//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/permc/permc/examples/contentlibraries/libauthz"
)

var (
	siteOnce sync.Once
	site     *Site
	siteErr  error
)

// testSite is the site of this checkout, its module built once for all tests.
func testSite(t *testing.T) *Site {
	t.Helper()
	siteOnce.Do(func() {
		root, err := findRepo()
		if err != nil {
			siteErr = err
			return
		}
		site, siteErr = NewSite(context.Background(), root)
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return site
}

// pageData is data.json: the users and libraries the page offers, in the shapes a
// request takes them.
type pageData struct {
	Users []struct {
		ID         string          `json:"id"`
		Attributes json.RawMessage `json:"attributes"`
		Roles      json.RawMessage `json:"roles"`
	} `json:"users"`
	Libraries []struct {
		ID         string          `json:"id"`
		Attributes json.RawMessage `json:"attributes"`
	} `json:"libraries"`
}

// decision is the part of a decision the page shows.
type decision struct {
	Error   *string `json:"error"`
	Allowed bool    `json:"allowed"`
	Reason  struct {
		Kind       string `json:"kind"`
		Role       string `json:"role"`
		Assignment int    `json:"assignment"`
		Rule       string `json:"rule"`
	} `json:"reason"`
	Errors []struct {
		Kind    string `json:"kind"`
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"errors"`
	Warnings []struct {
		Assignment int    `json:"assignment"`
		Message    string `json:"message"`
	} `json:"warnings"`
}

// reasonText is what the page (app.js, reasonText) shows as a button's title.
func reasonText(d decision) string {
	if d.Error != nil {
		return "error: " + *d.Error
	}
	var text string
	switch r := d.Reason; r.Kind {
	case "role":
		text = fmt.Sprintf("allowed by role %s (assignment %d)", r.Role, r.Assignment)
	case "allow_rule":
		text = "allowed by rule " + r.Rule
	case "deny_rule":
		text = "denied by rule " + r.Rule
	case "credential":
		text = "denied by the credential"
	default:
		text = "denied: nothing grants it"
	}
	for _, e := range d.Errors {
		text += fmt.Sprintf("; %s %s failed: %s", e.Kind, e.Name, e.Message)
	}
	for _, w := range d.Warnings {
		text += fmt.Sprintf("; assignment %d: %s", w.Assignment, w.Message)
	}
	return text
}

// button is what the page shows for one permission.
type button struct {
	Permission string `json:"permission"`
	Disabled   bool   `json:"disabled"`
	Title      string `json:"title"`
}

// TestPageAgreesWithGo drives the page in headless Chromium through every user and
// library of data.json and checks each button against the decision the generated Go
// checker (libauthz, with the same custom roles) makes for the same request; then it
// opens a link to one pair and saves a screenshot, in $PERMC_SCREENSHOT_DIR when set.
func TestPageAgreesWithGo(t *testing.T) {
	const width, height = 1000, 720
	c := startChromium(t, width, height)
	s := testSite(t)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	var data pageData
	readJSON(t, filepath.Join(s.root, pageDir, "data.json"), &data)
	authz := libauthz.NewAuthorizer()
	roles, err := os.ReadFile(filepath.Join(s.root, rolesDoc))
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.LoadRolesJSON(roles); err != nil {
		t.Fatal(err)
	}
	var meta struct {
		ResourceTypes []struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
		} `json:"resource_types"`
	}
	if err := json.Unmarshal(libauthz.MetadataJSON(), &meta); err != nil {
		t.Fatal(err)
	}
	var permissions []string
	for _, rt := range meta.ResourceTypes {
		if rt.Name == "library" {
			permissions = rt.Permissions
		}
	}

	c.open(t, srv.URL+"/")
	kinds := map[string]bool{}
	for _, u := range data.Users {
		for _, l := range data.Libraries {
			var got []button
			c.eval(t, fmt.Sprintf(`(() => {
				for (const [id, value] of [["user", %q], ["library", %q]]) {
					const select = document.getElementById(id);
					select.value = value;
					if (select.value !== value) throw new Error(id + " " + value + " is not offered");
					select.dispatchEvent(new Event("change"));
				}
				return [...document.querySelectorAll("#actions button")].map((b) =>
					({permission: b.dataset.permission, disabled: b.disabled, title: b.title}));
			})()`, u.ID, l.ID), &got)
			var want []button
			for _, p := range permissions {
				req, err := json.Marshal(map[string]any{
					"principal":  map[string]any{"id": u.ID, "attributes": u.Attributes, "roles": u.Roles},
					"resource":   map[string]any{"type": "library", "id": l.ID, "attributes": l.Attributes},
					"permission": p,
				})
				if err != nil {
					t.Fatal(err)
				}
				var d decision
				if err := json.Unmarshal(authz.CheckJSON(nil, req), &d); err != nil {
					t.Fatal(err)
				}
				if d.Error != nil {
					t.Errorf("data.json: user %s, library %s: %s", u.ID, l.ID, *d.Error)
				}
				kinds[d.Reason.Kind] = true
				want = append(want, button{Permission: p, Disabled: !d.Allowed, Title: reasonText(d)})
			}
			if !slices.Equal(got, want) {
				t.Errorf("user %s, library %s: the page shows\n\t%+v\nthe generated Go decides\n\t%+v", u.ID, l.ID, got, want)
			}
		}
	}
	// The data shows each way a permission is allowed or denied without a credential.
	for _, k := range []string{"role", "allow_rule", "deny_rule", "no_grant"} {
		if !kinds[k] {
			t.Errorf("no user and library of data.json is decided with reason %s", k)
		}
	}

	// A link selects its pair.
	link := srv.URL + "/?" + url.Values{"user": {"bob"}, "library": {"hx-intro"}}.Encode()
	c.open(t, link)
	var selected [2]string
	c.eval(t, `[document.getElementById("user").value, document.getElementById("library").value]`, &selected)
	if selected != [2]string{"bob", "hx-intro"} {
		t.Errorf("%s selects %v", link, selected)
	}
	shot := c.screenshot(t)
	dir := os.Getenv("PERMC_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "examples-browser.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of %s: %s (%d bytes)", link, path, len(shot))
	checkScreenshot(t, path, width, height)
}

// checkScreenshot fails unless path is a PNG of width×height pixels showing more
// than a blank page.
func checkScreenshot(t *testing.T, path string, width, height int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("%s is %dx%d pixels, want %dx%d", path, b.Dx(), b.Dy(), width, height)
	}
	if n := colors(img); n < 16 {
		t.Errorf("%s has %d colors: a blank or unstyled page", path, n)
	}
}

// colors counts the distinct colors of img.
func colors(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// TestHandler checks what the site serves, and that it serves nothing else.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(testSite(t).Handler())
	defer srv.Close()
	for path, want := range map[string]string{
		"/":                      "text/html",
		"/app.js":                "text/javascript",
		"/style.css":             "text/css",
		"/data.json":             "application/json",
		"/permc/index.js":        "text/javascript",
		"/roles.json":            "application/json",
		"/contentlibraries.wasm": "application/wasm",
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, want) || len(body) == 0 {
			t.Errorf("GET %s: %d %s, %d bytes; want 200 %s", path, res.StatusCode, ct, len(body), want)
		}
		if path == "/contentlibraries.wasm" && !bytes.HasPrefix(body, []byte("\x00asm")) {
			t.Errorf("GET %s: not a Wasm module", path)
		}
	}
	for _, path := range []string{"/index.html", "/main.go", "/permc/package.json", "/spec.yaml", "/%2e%2e/go.mod", "/permc/../go.mod"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Errorf("GET %s: 200, want nothing served", path)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
