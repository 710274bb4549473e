package dev.zeroproxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code defaults}, {@code frontend}, {@code backend} or {@code listen} section while it is read:
 * its settings (a copy of the defaults' at first), its lists, its ACLs, and which of its lines
 * failed, so that the checks run when the file ends do not repeat an error in other words (a
 * frontend whose only {@code bind} line is wrong is not also "a frontend without bind").
 */
final class ProxySection {
    final SectionKind kind;
    /** Null for a {@code defaults} without a name, or a header too broken to name the section. */
    final String name;
    final SourcePosition where;
    final ProxySettings settings;
    final List<BindLine> binds = new ArrayList<>();
    final List<Rule> rules = new ArrayList<>();
    final List<Use> useBackends = new ArrayList<>();
    final Map<String, Acl> acls = new LinkedHashMap<>();
    final List<ServerLine> servers = new ArrayList<>();
    final Map<String, Integer> serverLines = new LinkedHashMap<>();
    /** Bind addresses written without a host ({@code :8404}): the loopback address in the stats section. */
    final Set<SourcePosition> hostlessBinds = new HashSet<>();
    /**
     * Its own lines (not its defaults') other than {@code mode}, {@code bind} and {@code stats},
     * each read without error: what the stats section may not have.
     */
    final List<Located<String>> ownLines = new ArrayList<>();
    boolean bindFailed;
    boolean serverFailed;
    /** Where its first line starting with {@code stats} is, right or wrong: it means to be the stats section. */
    SourcePosition statsLine;
    /** One of its {@code stats} lines was wrong: a missing {@code stats enable} is not another error. */
    boolean statsFailed;
    Located<Boolean> statsEnable;
    Located<String> statsUri;
    Located<Duration> statsRefresh;
    /** Its header is wrong (a duplicate name, say): its lines are read for errors, the file-wide checks skip it. */
    boolean discarded;
    private final List<AccessLine> resolvedRules = new ArrayList<>();
    private final List<UseBackendLine> resolvedUses = new ArrayList<>();

    /** The {@code default_backend} of its defaults, before a {@code listen}'s own name replaces it; null if none. */
    final Located<String> defaultsBackend;

    ProxySection(SectionKind kind, String name, SourcePosition where, ProxySettings settings) {
        this.kind = kind;
        this.name = name;
        this.where = where;
        this.settings = settings;
        this.defaultsBackend = settings.defaultBackend;
    }

    /** Whether it is the stats section (or one more, an error): a frontend or listen with a {@code stats} line. */
    boolean isStats() {
        return kind.acceptsClients() && statsLine != null;
    }

    /** Whether its mode, its own or its defaults', is {@code http}. */
    boolean isHttp() {
        return settings.mode != null && settings.mode.value().equals("http");
    }

    /** Whether its mode was written in a defaults section above it rather than in it. */
    boolean inheritsMode() {
        return settings.mode != null && settings.mode.where().line() < where.line();
    }

    /** A {@code tcp-request connection} line, its condition not yet looked up. */
    record Rule(boolean accept, ConditionDraft condition, SourcePosition where) { }

    /** A {@code use_backend} line, its condition not yet looked up. */
    record Use(Located<String> backend, ConditionDraft condition, SourcePosition where) { }

    /** The address blocks of every {@code acl} line of one name, and the first such line. */
    static final class Acl {
        final int firstLine;
        final List<String> cidrs = new ArrayList<>();
        /** One of its lines is wrong: conditions naming it stay quiet. */
        boolean failed;

        Acl(int firstLine) {
            this.firstLine = firstLine;
        }
    }

    /** Looks up the ACLs the rules name, now that every acl line of the section is known. */
    void finish(Problems problems) {
        for (Rule rule : rules) {
            SourceCondition condition = resolve(rule.condition(), problems);
            resolvedRules.add(new AccessLine(rule.accept(), condition, rule.where()));
        }
        for (Use use : useBackends) {
            SourceCondition condition = resolve(use.condition(), problems);
            resolvedUses.add(new UseBackendLine(use.backend().value(), condition, use.where()));
        }
    }

    private SourceCondition resolve(ConditionDraft draft, Problems problems) {
        if (draft == null) {
            return null;
        }
        if (draft.cidrs() != null) {
            return new SourceCondition(draft.negated(), draft.cidrs(), draft.where());
        }
        Acl acl = acls.get(draft.acl());
        String section = kind.keyword() + " '" + name + "'";
        if (acl == null) {
            problems.report(draft.aclWhere(), draft.acl(), "no ACL named '" + draft.acl() + "' in " + section,
                    "an ACL declared above the rule with 'acl NAME src CIDR ...' (HAProxy's predefined ACLs "
                            + "are not supported)", Suggestions.closest(draft.acl(), acls.keySet()));
            return null;
        }
        if (acl.firstLine > draft.line()) {
            problems.report(draft.aclWhere(), draft.acl(), "ACL '" + draft.acl() + "' is used before its "
                    + "declaration at line " + acl.firstLine, "the acl line above the rule using it, as HAProxy "
                    + "reads them in order", null);
            return null;
        }
        return acl.failed ? null : new SourceCondition(draft.negated(), acl.cidrs, draft.where());
    }

    FrontendSection frontend() {
        ProxySettings s = settings;
        return new FrontendSection(name, where, binds, s.maxConn, s.timeoutClient, s.timeoutClientFin, resolvedRules,
                s.defaultBackend, resolvedUses, s.forwarding, s.spliceThreshold);
    }

    BackendSection backend() {
        ProxySettings s = settings;
        return new BackendSection(name, where, s.balance, s.retries, s.redispatch, s.timeoutConnect, s.timeoutServer,
                s.timeoutServerFin, s.timeoutTunnel, s.timeoutQueue, s.timeoutCheck, s.source, servers);
    }
}
