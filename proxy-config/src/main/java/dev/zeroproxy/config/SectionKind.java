package dev.zeroproxy.config;

/** The sections ZeroProxy reads, each named by the keyword that opens it. */
enum SectionKind {
    GLOBAL("global"),
    DEFAULTS("defaults"),
    FRONTEND("frontend"),
    BACKEND("backend"),
    LISTEN("listen");

    private final String keyword;

    SectionKind(String keyword) {
        this.keyword = keyword;
    }

    String keyword() {
        return keyword;
    }

    /** The section a header keyword opens; null if the word opens none of ours. */
    static SectionKind ofHeader(String word) {
        for (SectionKind kind : values()) {
            if (kind.keyword.equals(word)) {
                return kind;
            }
        }
        return null;
    }

    /** Its frontend settings are used: a frontend, a listen, or a defaults for them. */
    boolean acceptsClients() {
        return this == FRONTEND || this == LISTEN;
    }

    /** It has servers: a backend or a listen. */
    boolean hasServers() {
        return this == BACKEND || this == LISTEN;
    }
}
