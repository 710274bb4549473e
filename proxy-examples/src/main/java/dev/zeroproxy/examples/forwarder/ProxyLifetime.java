package dev.zeroproxy.examples.forwarder;

import dev.zeroproxy.Proxy;

/**
 * What {@code zeroproxy forward} does with a proxy once it is started, up to the command's
 * exit code. In production that is {@link UntilSignal}; tests substitute one that exercises
 * the running proxy and closes it.
 */
@FunctionalInterface
interface ProxyLifetime {

    /**
     * Owns {@code proxy} from here on, and closes it.
     *
     * @param proxy the started proxy
     * @param listener the proxy's listener, for the shutdown summary
     * @return the command's exit code
     */
    int run(Proxy proxy, ForwarderListener listener);
}
