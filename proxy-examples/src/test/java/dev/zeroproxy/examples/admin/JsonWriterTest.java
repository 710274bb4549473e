package dev.zeroproxy.examples.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint's JSON: commas and nesting, escapes, numbers JSON cannot carry; read back by a strict reader. */
class JsonWriterTest {

    @Test
    void writesNestedObjectsAndArraysWithTheirCommas() {
        String json = new JsonWriter().beginObject().name("a").value(1).name("b").beginArray().value("x")
                .beginObject().endObject().beginArray().endArray().nullValue().value(true).endArray()
                .name("c").beginObject().name("d").value(2.5).endObject().endObject().toString();
        assertEquals("{\"a\":1,\"b\":[\"x\",{},[],null,true],\"c\":{\"d\":2.5}}", json);
        assertEquals(Map.of("d", 2.5), TinyJson.get(TinyJson.parse(json), "c"));
    }

    @Test
    void escapesWhatAStringCannotHoldAndReadsBackTheSameText() {
        String text = "quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 line-sep \u2028 é 日本";
        String json = new JsonWriter().beginArray().value(text).endArray().toString();
        assertEquals(-1, json.indexOf('\n'), json);
        assertEquals(-1, json.indexOf('\u2028'), json);
        assertEquals(List.of(text), TinyJson.parse(json));
    }

    @Test
    void writesNullForNumbersJsonHasNoWordsFor() {
        String json = new JsonWriter().beginArray().value(Double.NaN).value(Double.POSITIVE_INFINITY).value(0.25)
                .value(Long.MIN_VALUE).endArray().toString();
        assertEquals("[null,null,0.25," + Long.MIN_VALUE + "]", json);
    }
}
