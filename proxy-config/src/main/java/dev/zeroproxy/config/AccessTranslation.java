package dev.zeroproxy.config;

import dev.zeroproxy.edge.AccessRules;
import java.util.ArrayList;
import java.util.List;

/**
 * HAProxy's {@code tcp-request connection accept|reject [if|unless COND]} lines as the library's
 * first-match {@link AccessRules}. A line whose condition holds decides; one whose condition does
 * not hold passes the client on to the next line; a client no line decides is accepted.
 *
 * <p>A positive condition ({@code if { src A }}) is a rule per block of A. A negated one
 * ({@code unless { src A }}, {@code if !{ src A }}) decides for everyone outside A and passes
 * those inside on: so the lines after it are translated first, restricted to A (each block
 * intersected with A's, which nest or are disjoint), followed by "accept A" (what the default
 * does for them), and then the line's own decision for everyone. Exact, and small for what
 * people write (an allow list is one negated line).
 */
final class AccessTranslation {
    /** One first-match rule: accept (allow) or reject (deny) a block. */
    private record Decision(boolean accept, CidrBlock block) { }

    private AccessTranslation() { }

    /** The rules; {@link AccessRules#NONE} for no line. */
    static AccessRules translate(List<AccessLine> lines) {
        List<Decision> decisions = decide(lines, 0);
        // Trailing accepts change nothing: the default accepts.
        int end = decisions.size();
        while (end > 0 && decisions.get(end - 1).accept()) {
            end--;
        }
        AccessRules.Builder rules = AccessRules.builder();
        for (Decision decision : decisions.subList(0, end)) {
            String cidr = decision.block().text();
            if (decision.accept()) {
                rules.allow(cidr);
            } else {
                rules.deny(cidr);
            }
        }
        return rules.build();
    }

    private static List<Decision> decide(List<AccessLine> lines, int from) {
        List<Decision> out = new ArrayList<>();
        if (from == lines.size()) {
            return out;
        }
        AccessLine line = lines.get(from);
        SourceCondition condition = line.condition();
        if (condition == null) {
            // Holds for everyone: the lines after it are never reached.
            CidrBlock.ALL.forEach(all -> out.add(new Decision(line.accept(), all)));
            return out;
        }
        List<CidrBlock> blocks = condition.cidrs().stream().map(CidrBlock::parse).toList();
        if (!condition.negated()) {
            blocks.forEach(block -> out.add(new Decision(line.accept(), block)));
            out.addAll(decide(lines, from + 1));
            return out;
        }
        for (Decision later : decide(lines, from + 1)) {
            for (CidrBlock block : blocks) {
                later.block().intersect(block).ifPresent(both -> out.add(new Decision(later.accept(), both)));
            }
        }
        blocks.forEach(block -> out.add(new Decision(true, block)));
        CidrBlock.ALL.forEach(all -> out.add(new Decision(line.accept(), all)));
        return out;
    }
}
