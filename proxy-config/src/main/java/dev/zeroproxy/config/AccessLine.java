package dev.zeroproxy.config;

/**
 * A {@code tcp-request connection accept|reject [if|unless COND]} line. Lines are checked in
 * order and the first whose condition holds decides, as HAProxy does; a client no line decides
 * is accepted.
 *
 * @param accept true for {@code accept}, false for {@code reject}
 * @param condition null: the line holds for every client
 * @param where where the line starts
 */
public record AccessLine(boolean accept, SourceCondition condition, SourcePosition where) { }
