package dev.zeroproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

class ProxyPathTest {

    @Test
    void pathParameterListsEveryProxyPathInOrder() throws NoSuchFieldException {
        Param param = PathState.class.getField("path").getAnnotation(Param.class);

        List<String> expected = Arrays.stream(ProxyPath.values()).map(ProxyPath::paramName).collect(Collectors.toList());
        assertEquals(expected, List.of(param.value()));
    }

    @Test
    void unknownPathNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyPath.named("epoll"));

        assertEquals("path: epoll (expected one of: direct, naive, nio-copy, epoll-copy, epoll-splice, epoll-auto)",
                e.getMessage());
    }
}
