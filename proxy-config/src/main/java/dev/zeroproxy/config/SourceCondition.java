package dev.zeroproxy.config;

import java.util.List;

/**
 * The condition of a rule: {@code if { src CIDR ... }}, {@code if !{ src ... }} or
 * {@code unless { src ... }}. Matches a client whose address is in one of the CIDRs (a bare
 * address is a /32 or /128), or, negated, one that is in none.
 *
 * @param negated {@code !} or {@code unless}
 * @param cidrs as written, each checked to parse as an address or CIDR block
 * @param where where the condition starts ({@code if} or {@code unless})
 */
public record SourceCondition(boolean negated, List<String> cidrs, SourcePosition where) {
    /** Copies the list. */
    public SourceCondition {
        cidrs = List.copyOf(cidrs);
    }
}
