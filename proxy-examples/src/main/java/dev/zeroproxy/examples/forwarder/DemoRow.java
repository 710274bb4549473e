package dev.zeroproxy.examples.forwarder;

/**
 * One line of the demo's table: how one way of moving bytes did, or why it failed.
 *
 * @param transport the transport's name, or a label such as {@code direct (no proxy)}
 * @param mode the forwarding mode, or {@code -}
 * @param bytes the bytes moved in the measured transfer, checked against what was sent
 * @param nanos the wall-clock time of the measured transfer
 * @param proxyCpuNanos the CPU time of the proxy's event-loop threads; -1 when there is no
 *     proxy or it cannot be measured
 * @param processCpuNanos the CPU time of the whole process; -1 when it cannot be measured
 * @param splicedFraction of the bytes the proxy forwarded, the share moved by splice; -1
 *     when there is no proxy
 * @param failure why the row failed, or {@code null}
 */
record DemoRow(String transport, String mode, long bytes, long nanos, long proxyCpuNanos, long processCpuNanos,
        double splicedFraction, String failure) {

    /** A row that failed with {@code failure}. */
    static DemoRow failed(String transport, String mode, String failure) {
        return new DemoRow(transport, mode, 0, 0, -1, -1, -1, failure);
    }

    /** Whether the row measured something. */
    boolean succeeded() {
        return failure == null;
    }
}
