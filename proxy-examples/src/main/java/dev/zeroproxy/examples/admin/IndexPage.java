package dev.zeroproxy.examples.admin;

/** {@code /}: a page linking the others, each with what it is. */
final class IndexPage {
    static final String HTML = String.join("\n",
            "<!DOCTYPE html>",
            "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>zeroproxy admin</title></head><body>",
            "<h1>zeroproxy admin</h1>",
            "<ul>",
            "<li><a href=\"/stats\">/stats</a>: frontends, backends and servers, as a page that refreshes itself</li>",
            "<li><a href=\"/stats.json\">/stats.json</a>: the same figures as JSON</li>",
            "<li><a href=\"/connections\">/connections</a>: the open connections as JSON"
                    + " (<code>?limit=N</code>, default 1000)</li>",
            "<li><a href=\"/metrics\">/metrics</a>: Prometheus text format</li>",
            "</ul>",
            "<p>Read-only; no authentication: keep it on a loopback or private address.</p>",
            "</body></html>",
            "");

    private IndexPage() { }
}
