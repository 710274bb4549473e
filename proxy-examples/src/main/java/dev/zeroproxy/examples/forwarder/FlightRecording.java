package dev.zeroproxy.examples.forwarder;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * {@code --jfr FILE}: a JDK Flight Recorder recording for the forwarder's whole run, with the
 * JDK's {@code default} settings and ZeroProxy's own ({@code zeroproxy.jfc}, shipped in the jar
 * beside this class) on top, written to the file when the forwarder stops. It keeps the newest
 * {@value #MAX_SIZE} bytes of events.
 */
final class FlightRecording implements AutoCloseable {
    /** The settings file shipped with the forwarder. */
    static final String SETTINGS = "zeroproxy.jfc";
    /** The most the recording keeps (its oldest part goes first): 256 MiB. */
    static final long MAX_SIZE = 256L << 20;

    private final Recording recording;

    private FlightRecording(Recording recording) {
        this.recording = recording;
    }

    /**
     * Starts recording into {@code file}.
     *
     * @throws IllegalArgumentException naming the file, if it cannot be written
     */
    static FlightRecording start(Path file) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(file + ": no such directory " + dir);
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw new IllegalArgumentException(file + ": not writable");
        }
        Map<String, String> settings = new HashMap<>(defaults().getSettings());
        settings.putAll(ours().getSettings());
        Recording recording = new Recording(settings);
        recording.setName("zeroproxy");
        recording.setToDisk(true);
        // A forwarder may run for weeks: the recording keeps its newest part, as a flight recorder does.
        recording.setMaxSize(MAX_SIZE);
        try {
            recording.setDestination(absolute);
        } catch (IOException e) {
            recording.close();
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        recording.start();
        return new FlightRecording(recording);
    }

    private static Configuration defaults() {
        try {
            return Configuration.getConfiguration("default");
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("the JDK's default JFR settings cannot be read", e);
        }
    }

    /** ZeroProxy's settings, from the jar. */
    static Configuration ours() {
        try (InputStream in = FlightRecording.class.getResourceAsStream(SETTINGS)) {
            if (in == null) {
                throw new IllegalStateException(SETTINGS + " is missing from the forwarder's jar");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return Configuration.create(reader);
            }
        } catch (IOException | ParseException e) {
            throw new IllegalStateException(SETTINGS + " cannot be read", e);
        }
    }

    /** Stops the recording, which writes it to its file. */
    @Override
    public void close() {
        recording.stop();
        recording.close();
    }
}
