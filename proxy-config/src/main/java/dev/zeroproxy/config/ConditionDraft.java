package dev.zeroproxy.config;

import java.util.List;

/**
 * A condition as written, before its named ACL is looked up: ACLs are looked up when the section
 * ends, because every {@code acl} line of a name adds to it, those below the rule included (as in
 * HAProxy, where the rule holds the ACL, not a copy).
 *
 * @param negated {@code unless}, or an odd number of {@code !}
 * @param cidrs the blocks of a {@code { src ... }}; null for a named ACL
 * @param acl the ACL's name; null for a {@code { src ... }}
 * @param aclWhere where the ACL's name is written; null for a {@code { src ... }}
 * @param line the line the condition is on
 * @param where where {@code if} or {@code unless} is written
 */
record ConditionDraft(boolean negated, List<String> cidrs, String acl, SourcePosition aclWhere, int line,
        SourcePosition where) { }
