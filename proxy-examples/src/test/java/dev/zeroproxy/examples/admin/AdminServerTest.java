package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeroproxy.ProxyBindException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin server in front of a real proxy and two real servers on 127.0.0.1: each endpoint
 * after known traffic, with exact byte counts; the open connections and then none; the errors
 * and methods; pipelined requests answered in order; closing it leaves the proxy serving.
 */
@Timeout(60)
class AdminServerTest {
    /** Four connections of different sizes, so that each server's bytes are its own. */
    private static final int[] SIZES = {10_000, 70_001, 3, 250_000};

    @Test
    void statsJsonHasTheExactBytesAndSessionsOfTheFrontendAndEachServer() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            long sent = 0;
            for (int i = 0; i < SIZES.length; i++) {
                f.exchange(i, SIZES[i]);
                sent += SIZES[i];
            }
            f.awaitClosed(SIZES.length);

            HttpResponse<String> response = f.get("/stats.json");
            assertEquals(200, response.statusCode());
            assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
            Object json = TinyJson.parse(response.body());

            Map<String, Object> web = TinyJson.get(json, "frontends", 0);
            assertEquals("web", web.get("name"));
            assertEquals("OPEN", web.get("status"));
            assertEquals("app", web.get("backend"));
            assertEquals((long) SIZES.length, (long) TinyJson.get(web, "sessions", "total"));
            assertEquals(0L, (long) TinyJson.get(web, "sessions", "current"));
            assertEquals(sent, (long) TinyJson.get(web, "bytes", "in"), "bytes from clients");
            assertEquals(sent, (long) TinyJson.get(web, "bytes", "out"), "bytes to clients (the echo)");
            assertEquals("127.0.0.1:" + f.proxy.localAddress().getPort(), TinyJson.get(web, "binds", 0, "address"));

            Map<String, Object> app = TinyJson.get(json, "backends", 0);
            assertEquals("app", app.get("name"));
            assertEquals("roundrobin", app.get("balance"));
            List<Object> servers = TinyJson.get(app, "servers");
            assertEquals(2, servers.size());
            AdminFixture.CountingEcho[] echoes = {f.s1, f.s2};
            for (int i = 0; i < 2; i++) {
                Map<String, Object> server = TinyJson.get(servers, i);
                assertEquals("s" + (i + 1), server.get("name"));
                assertEquals("UP", server.get("state"));
                assertEquals(echoes[i].received.get(), (long) TinyJson.get(server, "bytes", "in"), "server s" + (i + 1));
                assertEquals(echoes[i].received.get(), (long) TinyJson.get(server, "bytes", "out"), "server s" + (i + 1));
                assertEquals(echoes[i].accepted.get(), (long) TinyJson.get(server, "sessions", "total"));
                assertTrue((long) TinyJson.get(server, "sessions", "max") >= 0);
                assertEquals(0L, (long) TinyJson.get(server, "errors", "connect"));
            }
            assertTrue(f.s1.received.get() > 0 && f.s2.received.get() > 0, "round robin used both servers");
            assertEquals(sent, (long) TinyJson.get(app, "total", "bytes", "in"));
            assertEquals((long) SIZES.length, (long) TinyJson.get(app, "total", "sessions", "total"));
            assertEquals(1L, (long) TinyJson.get(json, "process", "generation"));
            assertEquals(f.proxy.config().transport().name(), TinyJson.get(json, "process", "transport"));
        }
    }

    @Test
    void statsPageHasARowForTheFrontendAndEachServerWithItsCounts() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            for (int i = 0; i < SIZES.length; i++) {
                f.exchange(100 + i, SIZES[i]);
            }
            f.awaitClosed(SIZES.length);
            HttpResponse<String> response = f.get("/stats");
            assertEquals(200, response.statusCode());
            assertEquals("text/html; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
            String page = response.body();
            assertTrue(page.contains("<meta http-equiv=\"refresh\" content=\"5\">"), "refreshes every 5 s by default");
            assertFalse(page.toLowerCase().contains("<script"), "no JavaScript");
            String frontend = row(page, "<tr class=\"frontend\" data-frontend=\"web\">");
            assertTrue(frontend.contains("<td>" + SIZES.length + "</td>"), "total sessions in " + frontend);
            long sent = java.util.Arrays.stream(SIZES).sum();
            assertTrue(frontend.contains(">" + sent + "</td>"), "bytes in/out in " + frontend);
            for (String name : List.of("s1", "s2")) {
                AdminFixture.CountingEcho echo = name.equals("s1") ? f.s1 : f.s2;
                String server = row(page, "<tr class=\"server up\" data-backend=\"app\" data-server=\"" + name + "\">");
                assertTrue(server.contains(">" + echo.received.get() + "</td>"), "bytes of " + name + " in " + server);
                assertTrue(server.contains("<td>" + echo.accepted.get() + "</td>"), "sessions of " + name);
                assertTrue(server.contains(">UP</td>"), server);
            }
            String total = row(page, "<tr class=\"backend\" data-backend=\"app\">");
            assertTrue(total.contains(">" + sent + "</td>"), "the backend's bytes in " + total);
        }
    }

    @Test
    void connectionsListsTheOpenOnesWithTheirIdsAndBytesThenNoneOnceClosed() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            int[] sizes = {1234, 56_789, 100_000};
            Socket[] open = new Socket[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                open[i] = f.open(200 + i, sizes[i]);
            }
            Object json = TinyJson.parse(f.get("/connections").body());
            assertEquals(3L, (long) TinyJson.get(json, "total"));
            assertEquals(3L, (long) TinyJson.get(json, "listed"));
            List<Object> listed = TinyJson.get(json, "connections");
            long previousId = 0;
            for (int i = 0; i < sizes.length; i++) {
                Map<String, Object> c = TinyJson.get(listed, i);
                long id = (long) c.get("id");
                assertTrue(id > previousId, "sorted by id: " + listed);
                previousId = id;
                assertEquals("web", c.get("frontend"));
                assertEquals("app", c.get("backend"));
                assertTrue(List.of("s1", "s2").contains(c.get("server")), c.toString());
                assertEquals((long) sizes[i], (long) c.get("bytes_from_client"), "connection " + id);
                assertEquals((long) sizes[i], (long) c.get("bytes_from_upstream"), "connection " + id);
                assertEquals("127.0.0.1:" + open[i].getLocalPort(), c.get("client"));
                assertEquals(c.get("client"), c.get("original_client"), "no PROXY header");
                assertEquals("FORWARDING", c.get("state"));
                assertEquals(Boolean.FALSE, c.get("paused"));
                assertEquals(0L, (long) c.get("rate_limit"));
            }

            Object limited = TinyJson.parse(f.get("/connections?limit=2").body());
            assertEquals(3L, (long) TinyJson.get(limited, "total"));
            assertEquals(2, ((List<?>) TinyJson.get(limited, "connections")).size(), "?limit=2");

            for (Socket socket : open) {
                socket.close();
            }
            f.awaitClosed(sizes.length);
            Object none = TinyJson.parse(f.get("/connections").body());
            assertEquals(0L, (long) TinyJson.get(none, "total"));
            assertEquals(List.of(), TinyJson.get(none, "connections"));
        }
    }

    @Test
    void unknownPathsMethodsAndValuesAreRefusedSayingWhatIsValid() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            HttpResponse<String> missing = f.get("/nope");
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("/nope: no such page") && missing.body().contains("/stats.json"),
                    missing.body());

            HttpResponse<String> post = f.send(HttpRequest.newBuilder(f.uri("/stats"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());

            HttpResponse<String> head = f.send(HttpRequest.newBuilder(f.uri("/stats"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            assertTrue(Long.parseLong(head.headers().firstValue("content-length").orElseThrow()) > 1000,
                    "HEAD gives the GET's length");

            HttpResponse<String> badLimit = f.get("/connections?limit=lots");
            assertEquals(400, badLimit.statusCode());
            assertTrue(badLimit.body().contains("limit: 'lots'") && badLimit.body().contains("0..10000"),
                    badLimit.body());

            HttpResponse<String> index = f.get("/");
            assertEquals(200, index.statusCode());
            for (String path : AdminRoutes.PATHS) {
                assertTrue(path.equals("/") || index.body().contains("href=\"" + path + "\""), path);
            }

            HttpResponse<String> metrics = f.get("/metrics");
            assertEquals(200, metrics.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                    metrics.headers().firstValue("content-type").orElseThrow());
            assertEquals("# TYPE zeroproxy_test_total counter\nzeroproxy_test_total 1.0\n", metrics.body());
        }
    }

    @Test
    void withoutAMetricsSupplierMetricsAnswers404SayingTheyAreOff() throws Exception {
        try (AdminFixture f = new AdminFixture(false)) {
            HttpResponse<String> metrics = f.get("/metrics");
            assertEquals(404, metrics.statusCode());
            assertTrue(metrics.body().contains("metrics are off"), metrics.body());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        try (AdminFixture f = new AdminFixture(); Socket socket = new Socket("127.0.0.1", f.admin.localAddress().getPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            // Slow first (it runs on the worker), fast second (answered at once): order must hold.
            out.write(("GET /stats.json HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher statuses = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(all);
            StringBuilder order = new StringBuilder();
            while (statuses.find()) {
                order.append(statuses.group(1)).append(' ');
            }
            assertEquals("200 404 200 ", order.toString(), all);
            assertTrue(all.indexOf("\"frontends\"") < all.indexOf("no such page"), "the JSON first");
        }
    }

    @Test
    void aRequestThatIsNotHttpIsA400AndTheConnectionIsClosed() throws Exception {
        try (AdminFixture f = new AdminFixture(); Socket socket = new Socket("127.0.0.1", f.admin.localAddress().getPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write("GET /stats HTTP/1.1 extra words\r\nHost a\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.matches("(?s)HTTP/1\\.[01] 400 Bad Request\r\n.*bad request \\(expected: .*"), all);
        }
    }

    @Test
    void aMalformedEscapeIsA400SayingSoRatherThanAServerError() throws Exception {
        // Sent by hand: java.net.URI refuses to build such a request.
        try (AdminFixture f = new AdminFixture(); Socket socket = new Socket("127.0.0.1", f.admin.localAddress().getPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write("GET /connections?limit=%zz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 400 Bad Request\r\n")
                    && all.contains("(expected: a path and query with valid %-escapes)"), all);
        }
    }

    @Test
    void closingTheAdminServerFreesItsPortAndLeavesTheProxyServing() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            int port = f.admin.localAddress().getPort();
            assertEquals(200, f.get("/stats").statusCode());
            f.admin.close();
            f.admin.close(); // idempotent
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
            f.exchange(7, 4096);
            f.awaitClosed(1);
        }
    }

    @Test
    void anAddressInUseIsABindErrorNamingIt() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            ProxyBindException e = assertThrows(ProxyBindException.class,
                    () -> AdminServer.builder(StatsSource.of("web", f.proxy)).address(f.admin.localAddress()).start());
            assertTrue(e.getMessage().startsWith("cannot bind 127.0.0.1:" + f.admin.localAddress().getPort()),
                    e.getMessage());
            assertEquals(200, f.get("/stats").statusCode(), "the first one still serves");
        }
    }

    @Test
    void aRefreshThatIsNotWholeSecondsIsRefused() throws Exception {
        try (AdminFixture f = new AdminFixture()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdminServer.builder(StatsSource.of("web", f.proxy)).refresh(Duration.ofMillis(1500)).start());
            assertTrue(e.getMessage().contains("statsRefresh") && e.getMessage().contains("whole seconds"),
                    e.getMessage());
        }
    }

    /** The row of the page that starts with {@code start}, up to its end tag. */
    private static String row(String page, String start) {
        int from = page.indexOf(start);
        assertTrue(from >= 0, "no row " + start + " in:\n" + page);
        return page.substring(from, page.indexOf("</tr>", from));
    }
}
