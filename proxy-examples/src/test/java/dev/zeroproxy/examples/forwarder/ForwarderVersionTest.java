package dev.zeroproxy.examples.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 9, finding 6: {@code zeroproxy --version} and {@code -V}, run as the real process. */
@Timeout(60)
class ForwarderVersionTest {

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V"})
    void printsVersionCommitNettyJavaAndTransports(String flag) throws Exception {
        try (ForwarderProcess zp = ForwarderProcess.start(flag)) {
            assertEquals(0, zp.awaitExit(Duration.ofSeconds(30)), zp.log());
            String[] lines = zp.log().split("\n");
            assertEquals(4, lines.length, zp.log());
            assertTrue(lines[0].matches("zeroproxy \\S.* \\(commit [0-9a-f]{7,}(\\+changes)?\\)"),
                    "version and commit (the test runs inside the git checkout): " + lines[0]);
            assertEquals("Netty " + io.netty.util.Version.identify().get("netty-common").artifactVersion(), lines[1]);
            assertTrue(lines[2].startsWith("Java " + System.getProperty("java.version")), lines[2]);
            assertTrue(lines[3].startsWith("transports: ") && lines[3].contains("nio (copy)"), lines[3]);
        }
    }

    @Test
    void theBinaryJarNamesItsVersionInItsManifest() throws Exception {
        // The library jars are built before this module's tests in a reactor build; outside one
        // the classes come from directories and there is no manifest to read.
        String version = dev.zeroproxy.Proxy.class.getPackage().getImplementationVersion();
        if (version != null) {
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);
        }
    }
}
