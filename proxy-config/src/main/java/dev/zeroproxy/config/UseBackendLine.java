package dev.zeroproxy.config;

/**
 * A {@code use_backend NAME if|unless COND} line: the first line whose condition holds names the
 * backend; with none, {@code default_backend}.
 *
 * @param backend the backend's name (it exists)
 * @param condition the condition (required, as HAProxy requires one)
 * @param where where the line starts
 */
public record UseBackendLine(String backend, SourceCondition condition, SourcePosition where) { }
