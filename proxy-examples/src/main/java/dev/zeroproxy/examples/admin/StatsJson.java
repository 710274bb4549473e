package dev.zeroproxy.examples.admin;

/**
 * {@code /stats.json}: a {@link StatsReport} as JSON, the same figures as the page, raw (bytes
 * as numbers, durations in milliseconds, shares 0..1), names in snake case. Stateless.
 */
final class StatsJson {
    private StatsJson() { }

    static String render(StatsReport report) {
        JsonWriter json = new JsonWriter().beginObject();
        process(json.name("process"), report.process());
        json.name("frontends").beginArray();
        for (StatsReport.FrontendRow f : report.frontends()) {
            frontend(json, f);
        }
        json.endArray().name("backends").beginArray();
        for (StatsReport.BackendRow b : report.backends()) {
            json.beginObject().name("name").value(b.name()).name("balance").value(b.balance())
                    .name("queue").beginObject().name("current").value(b.queued()).name("max").value(b.maxQueued())
                    .endObject().name("refused").value(b.refused()).name("servers").beginArray();
            for (StatsReport.ServerRow s : b.servers()) {
                server(json, s);
            }
            server(json.endArray().name("total"), b.total());
            json.endObject();
        }
        return json.endArray().endObject().toString();
    }

    private static void process(JsonWriter json, StatsReport.Process p) {
        json.beginObject().name("version").value(p.version()).name("netty").value(p.netty())
                .name("java").value(p.java()).name("pid").value(p.pid()).name("uptime_ms").value(p.uptime().toMillis())
                .name("generation").value(p.generation()).name("transport").value(p.transport())
                .name("event_loops").value(p.eventLoops()).name("active_connections").value(p.activeConnections())
                .name("max_connections").value(p.maxConnections()).name("direct_memory_used")
                .value(p.directMemoryUsed()).name("bytes_queued").value(p.bytesQueued())
                .name("memory_budget_pauses").value(p.memoryBudgetPauses()).name("at").value(p.at().toString())
                .endObject();
    }

    private static void frontend(JsonWriter json, StatsReport.FrontendRow f) {
        json.beginObject().name("name").value(f.name()).name("status").value(f.accepting() ? "OPEN" : "STOP")
                .name("mode").value(f.mode()).name("backend").value(f.upstream()).name("binds").beginArray();
        for (StatsReport.Bind bind : f.binds()) {
            json.beginObject().name("address").value(bind.address()).name("accepting").value(bind.accepting())
                    .endObject();
        }
        json.endArray();
        sessions(json, f.current(), f.max(), f.limit(), f.total());
        bytes(json, f.bytesIn(), f.bytesOut(), f.bytesSpliced(), f.splicedShare());
        json.name("denied").beginObject().name("total").value(f.denied());
        f.deniedByReason().forEach((reason, count) -> json.name(reason).value(count));
        json.endObject().name("errors").beginObject().name("connect").value(f.connectErrors()).endObject()
                .endObject();
    }

    private static void server(JsonWriter json, StatsReport.ServerRow s) {
        json.beginObject().name("name").value(s.name()).name("address").value(s.address())
                .name("state").value(s.state()).name("state_age_ms");
        if (s.inState() == null) {
            json.nullValue();
        } else {
            json.value(s.inState().toMillis());
        }
        json.name("weight").value(s.weight()).name("backup").value(s.backup());
        sessions(json, s.current(), s.max(), s.limit(), s.total());
        bytes(json, s.bytesIn(), s.bytesOut(), s.bytesSpliced(), s.splicedShare());
        // Grouped as the page's columns (and HAProxy's econ, eresp, wretr, cli_abrt).
        json.name("errors").beginObject().name("connect").value(s.connectErrors())
                .name("response").value(s.serverAborts()).endObject()
                .name("warnings").beginObject().name("retries").value(s.retries()).endObject()
                .name("aborts").beginObject().name("client").value(s.clientAborts()).endObject().name("check");
        StatsReport.Check check = s.check();
        if (check == null) {
            json.nullValue();
        } else {
            json.beginObject().name("ok").value(check.ok()).name("detail").value(check.detail())
                    .name("took_ms").value(check.took().toMillis()).name("age_ms").value(check.age().toMillis())
                    .endObject();
        }
        json.endObject();
    }

    private static void sessions(JsonWriter json, long current, long max, long limit, long total) {
        json.name("sessions").beginObject().name("current").value(current).name("max").value(max)
                .name("limit").value(limit).name("total").value(total).endObject();
    }

    private static void bytes(JsonWriter json, long in, long out, long spliced, double share) {
        json.name("bytes").beginObject().name("in").value(in).name("out").value(out).name("spliced").value(spliced)
                .endObject().name("spliced_share").value(share);
    }
}
