package dev.zeroproxy.config;

/** Reads the lines of one kind of section; each line's keyword is one the section supports. */
interface SectionReader {
    void read(Statement line);
}
