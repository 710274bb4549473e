package dev.zeroproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the parser 20,000 generated files (see {@link FuzzFiles}): whatever the input, the only
 * exception is a {@link ConfigException} whose errors point inside the file, in file order, few per
 * place; a file it accepts keeps the model's promises; a valid file is accepted. The seed changes
 * every run and is logged; {@code -Dconfig.fuzz.seed=N} replays a run.
 */
class ConfigParserFuzzTest {
    private static final Logger LOGGER = LoggerFactory.getLogger(ConfigParserFuzzTest.class);
    private static final String SEED_PROPERTY = "config.fuzz.seed";
    private static final int INPUTS = 20_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anyInputEndsInAModelThatKeepsItsPromisesOrInAConfigException() {
        long seed = Long.getLong(SEED_PROPERTY, new Random().nextLong());
        LOGGER.info("config fuzz seed {} (replay: -D{}={})", seed, SEED_PROPERTY, seed);
        Random random = new Random(seed);
        FuzzFiles files = new FuzzFiles(random);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < INPUTS; i++) {
            int kind = random.nextInt(10);
            String text = kind == 0 ? files.valid() : kind < 7 ? files.mutated() : files.noise();
            String replay = "seed " + seed + " (-D" + SEED_PROPERTY + "=" + seed + "), input " + i + ":\n" + text;
            try {
                ProxyFile file = ConfigParser.parse(Configs.FILE, text, Configs.environment(), Configs.RESOLVER);
                keepsItsPromises(file, replay);
                accepted++;
            } catch (ConfigException e) {
                if (kind == 0) {
                    fail("a valid file was refused, " + replay + "\n" + e.getMessage());
                }
                pointsInsideTheFileInOrder(e.errors(), text, replay);
                refused++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("not a ConfigException, " + replay, e);
            }
        }
        LOGGER.info("config fuzz: {} inputs, {} accepted, {} refused", INPUTS, accepted, refused);
        assertEquals(INPUTS, accepted + refused);
        assertTrue(accepted >= INPUTS / 20, "accepted " + accepted);
        assertTrue(refused >= INPUTS / 2, "refused " + refused);
    }

    /** What ProxyFile's javadoc promises: every frontend listens and routes to backends that exist, each with servers. */
    private static void keepsItsPromises(ProxyFile file, String replay) {
        Set<String> backends = new HashSet<>();
        for (BackendSection backend : file.backends()) {
            assertTrue(backends.add(backend.name()), () -> "two backends " + backend.name() + ", " + replay);
            assertFalse(backend.servers().isEmpty(), () -> "no server in " + backend.name() + ", " + replay);
        }
        Set<String> frontends = new HashSet<>();
        for (FrontendSection frontend : file.frontends()) {
            assertTrue(frontends.add(frontend.name()), () -> "two frontends " + frontend.name() + ", " + replay);
            assertFalse(frontend.binds().isEmpty(), () -> "no bind in " + frontend.name() + ", " + replay);
            assertTrue(backends.contains(frontend.defaultBackend().value()), replay);
            frontend.useBackends().forEach(use -> assertTrue(backends.contains(use.backend()), replay));
        }
    }

    /** Errors within the file's lines, in file order, and no more than three at one place (no cascade). */
    private static void pointsInsideTheFileInOrder(List<ConfigError> errors, String text, String replay) {
        assertFalse(errors.isEmpty(), replay);
        int lines = text.split("\n", -1).length;
        Map<SourcePosition, Integer> perPlace = new HashMap<>();
        SourcePosition previous = null;
        for (ConfigError error : errors) {
            SourcePosition where = error.where();
            assertTrue(where.line() >= 1 && where.line() <= lines && where.column() >= 1, () -> error + ", " + replay);
            if (previous != null) {
                boolean ordered = previous.line() < where.line()
                        || (previous.line() == where.line() && previous.column() <= where.column());
                SourcePosition before = previous;
                assertTrue(ordered, () -> before + " before " + where + ", " + replay);
            }
            assertTrue(perPlace.merge(where, 1, Integer::sum) <= 3, () -> "cascade at " + where + ", " + replay);
            previous = where;
        }
    }
}
