package dev.zeroproxy.examples.admin;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * {@code /stats}: a {@link StatsReport} as an HTML page after HAProxy's stats page: the process
 * on top, then a table per frontend (its total row and one row per listening address) and a
 * table per backend (one row per server, coloured by its state, and the backend's total). No
 * JavaScript, the CSS inline: it reads the same in a text browser ({@code lynx}, {@code w3m}),
 * and a {@code <meta http-equiv="refresh">} reloads it. Byte counts are exact, with the size in
 * words on hover. Stateless.
 */
final class StatsPage {
    private static final String STYLE = String.join("",
            "body{font-family:Arial,Helvetica,sans-serif;font-size:12px;margin:8px;color:#000;background:#fff}",
            "h1{font-size:18px;margin:0 0 6px;color:#20377f}",
            "table.info td{padding:1px 12px 1px 0;vertical-align:top}",
            "table.px{border-collapse:collapse;margin:12px 0 4px}",
            "table.px th,table.px td{border:1px solid #a0a0a0;padding:2px 5px;text-align:right;white-space:nowrap}",
            "table.px th{background:#d0d0d0;font-weight:normal}",
            "table.px th.title{background:#b00040;color:#ffff40;text-align:left;font-weight:bold;font-size:13px}",
            "table.px td.l,table.px th.l{text-align:left}",
            "tr.frontend td{background:#f0f0c0;font-weight:bold}",
            "tr.bind td{background:#fafae0}",
            "tr.backend td{background:#e0e0e0;font-weight:bold}",
            "tr.up td{background:#c0ffc0}tr.down td{background:#ff9090}tr.ejected td{background:#ffd020}",
            "tr.draining td{background:#ffc0e0}tr.disabled td{background:#c0c0ff}tr.removed td{background:#cccccc}",
            "tr.nocheck td{background:#e8ffe8}",
            "span.k{display:inline-block;padding:0 6px;margin-right:4px;border:1px solid #a0a0a0}",
            "p.note{color:#505050}");

    private StatsPage() { }

    /** The page; {@code refresh} 0 for none. */
    static String render(StatsReport report, Duration refresh) {
        StringBuilder out = new StringBuilder(8192);
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (!refresh.isZero()) {
            out.append("<meta http-equiv=\"refresh\" content=\"").append(refresh.toSeconds()).append("\">");
        }
        out.append("<title>zeroproxy statistics</title><style>").append(STYLE).append("</style></head>\n<body>\n");
        header(out, report.process(), refresh);
        for (StatsReport.FrontendRow frontend : report.frontends()) {
            frontend(out, frontend);
        }
        for (StatsReport.BackendRow backend : report.backends()) {
            backend(out, backend);
        }
        legend(out);
        out.append("</body></html>\n");
        return out.toString();
    }

    private static void header(StringBuilder out, StatsReport.Process p, Duration refresh) {
        out.append("<h1>zeroproxy statistics</h1>\n<table class=\"info\"><tr><td>");
        out.append("<b>zeroproxy ").append(esc(p.version())).append("</b>, Netty ").append(esc(p.netty()))
                .append(", Java ").append(esc(p.java())).append("<br>pid ").append(p.pid())
                .append(", uptime ").append(Figures.duration(p.uptime()))
                .append(", configuration generation ").append(p.generation()).append("<br>transport ")
                .append(esc(p.transport())).append(", ").append(p.eventLoops()).append(" event loop(s)");
        out.append("</td><td>").append(p.activeConnections()).append(" connection(s) open")
                .append(p.maxConnections() > 0 ? " of at most " + p.maxConnections() : "")
                .append("<br>direct memory held: ").append(Figures.bytes(p.directMemoryUsed()))
                .append("<br>queued for slow readers: ").append(Figures.bytes(p.bytesQueued()))
                .append(", ").append(p.memoryBudgetPauses()).append(" budget pause(s)");
        out.append("</td><td>taken ").append(p.at().truncatedTo(ChronoUnit.SECONDS)).append("<br>")
                .append(refresh.isZero() ? "no automatic refresh"
                        : "refreshes every " + refresh.toSeconds() + " s")
                .append("<br><a href=\"/stats.json\">/stats.json</a> <a href=\"/connections\">/connections</a>")
                .append(" <a href=\"/metrics\">/metrics</a></td></tr></table>\n");
    }

    private static void frontend(StringBuilder out, StatsReport.FrontendRow f) {
        out.append("<table class=\"px\" id=\"frontend-").append(esc(f.name())).append("\">\n<tr><th class=\"title\"")
                .append(" colspan=\"14\">Frontend ").append(esc(f.name())).append("</th></tr>\n")
                .append("<tr><th class=\"l\" rowspan=\"2\">Name</th><th class=\"l\" rowspan=\"2\">Address</th>")
                .append("<th colspan=\"4\">Sessions</th><th colspan=\"3\">Bytes</th><th>Denied</th>")
                .append("<th>Errors</th><th colspan=\"3\">Status</th></tr>\n<tr><th>Cur</th><th>Max</th>")
                .append("<th>Limit</th><th>Total</th><th>In</th><th>Out</th><th>Spliced</th><th>Conn</th>")
                .append("<th>Conn</th><th>Status</th><th>Mode</th><th class=\"l\">Backend</th></tr>\n");
        out.append("<tr class=\"frontend\" data-frontend=\"").append(esc(f.name())).append("\">")
                .append(cellL("FRONTEND")).append(cellL(f.binds().size() + " bind(s)"))
                .append(cell(f.current())).append(cell(f.max())).append(limit(f.limit())).append(cell(f.total()))
                .append(bytes(f.bytesIn())).append(bytes(f.bytesOut()))
                .append(cell(Figures.percent(f.splicedShare(), f.bytesIn() + f.bytesOut())))
                .append("<td title=\"").append(esc(f.deniedByReason().toString())).append("\">").append(f.denied())
                .append("</td>").append(cell(f.connectErrors())).append(cell(f.accepting() ? "OPEN" : "STOP"))
                .append(cell(f.mode())).append(cellL(f.upstream())).append("</tr>\n");
        for (StatsReport.Bind bind : f.binds()) {
            out.append("<tr class=\"bind\">").append(cellL("listener")).append(cellL(bind.address()))
                    .append("<td colspan=\"9\"></td>").append(cell(bind.accepting() ? "OPEN" : "STOP"))
                    .append("<td colspan=\"2\"></td></tr>\n");
        }
        out.append("</table>\n");
    }

    private static void backend(StringBuilder out, StatsReport.BackendRow b) {
        out.append("<table class=\"px\" id=\"backend-").append(esc(b.name())).append("\">\n<tr><th class=\"title\"")
                .append(" colspan=\"19\">Backend ").append(esc(b.name()))
                .append(b.balance() == null ? "" : " (balance " + esc(b.balance()) + ")")
                .append(b.refused() > 0 ? ", " + b.refused() + " connection(s) no server took" : "")
                .append("</th></tr>\n<tr><th class=\"l\" rowspan=\"2\">Name</th><th class=\"l\" rowspan=\"2\">")
                .append("Address</th><th colspan=\"2\">Queue</th><th colspan=\"4\">Sessions</th>")
                .append("<th colspan=\"3\">Bytes</th><th colspan=\"2\">Errors</th><th>Warnings</th>")
                .append("<th>Aborts</th><th colspan=\"4\">Server</th></tr>\n<tr><th>Cur</th><th>Max</th>")
                .append("<th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>In</th><th>Out</th>")
                .append("<th>Spliced</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Cli</th>")
                .append("<th class=\"l\">Status</th><th class=\"l\">LastChk</th><th>Wght</th><th>Bck</th></tr>\n");
        for (StatsReport.ServerRow s : b.servers()) {
            row(out, s, "server " + stateClass(s.state()), "data-backend=\"" + esc(b.name()) + "\" data-server=\""
                    + esc(s.name()) + "\"", "-", "-");
        }
        row(out, b.total(), "backend", "data-backend=\"" + esc(b.name()) + "\"", Long.toString(b.queued()),
                Long.toString(b.maxQueued()));
        out.append("</table>\n");
    }

    private static void row(StringBuilder out, StatsReport.ServerRow s, String cssClass, String data,
            String queued, String maxQueued) {
        boolean total = s.address() == null;
        out.append("<tr class=\"").append(cssClass).append("\" ").append(data).append(">")
                .append(cellL(s.name())).append(cellL(total ? "" : s.address()))
                .append(cell(queued)).append(cell(maxQueued))
                .append(cell(s.current())).append(cell(s.max())).append(limit(s.limit())).append(cell(s.total()))
                .append(bytes(s.bytesIn())).append(bytes(s.bytesOut()))
                .append(cell(Figures.percent(s.splicedShare(), s.bytesIn() + s.bytesOut())))
                .append(cell(s.connectErrors())).append(cell(s.serverAborts())).append(cell(s.retries()))
                .append(cell(s.clientAborts()))
                .append(cellL(s.state() + (s.inState() == null ? "" : " " + Figures.duration(s.inState()))))
                .append(check(s.check()))
                .append(cell(total && s.weight() == 0 ? "0" : Integer.toString(s.weight())))
                .append(cell(total ? "" : s.backup() ? "Y" : "-")).append("</tr>\n");
    }

    private static String check(StatsReport.Check check) {
        if (check == null) {
            return cellL("-");
        }
        String text = (check.ok() ? "OK" : "FAIL: " + check.detail()) + " in " + check.took().toMillis() + " ms, "
                + Figures.duration(check.age()) + " ago";
        return "<td class=\"l\" title=\"" + esc(check.detail()) + "\">" + esc(text) + "</td>";
    }

    private static void legend(StringBuilder out) {
        out.append("<p class=\"note\"><span class=\"k\" style=\"background:#c0ffc0\">UP</span>")
                .append("<span class=\"k\" style=\"background:#ff9090\">DOWN (checks failed)</span>")
                .append("<span class=\"k\" style=\"background:#ffd020\">EJECTED (connects failed)</span>")
                .append("<span class=\"k\" style=\"background:#ffc0e0\">DRAINING</span>")
                .append("<span class=\"k\" style=\"background:#c0c0ff\">DISABLED</span>")
                .append("<span class=\"k\" style=\"background:#cccccc\">REMOVED</span></p>\n")
                .append("<p class=\"note\">Max: the most seen at once, sampled each second and at each request.")
                .append(" A server's bytes count its closed connections; a frontend's count as they flow.</p>\n");
    }

    private static String stateClass(String state) {
        return state.equals("no check") ? "nocheck" : state.toLowerCase(Locale.ROOT);
    }

    private static String limit(long limit) {
        return cell(limit == 0 ? "-" : Long.toString(limit));
    }

    private static String bytes(long bytes) {
        return "<td title=\"" + Figures.bytes(bytes) + "\">" + bytes + "</td>";
    }

    private static String cell(long value) {
        return "<td>" + value + "</td>";
    }

    private static String cell(String text) {
        return "<td>" + esc(text) + "</td>";
    }

    private static String cellL(String text) {
        return "<td class=\"l\">" + esc(text) + "</td>";
    }

    /** Escapes text for an element or a double-quoted attribute. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
