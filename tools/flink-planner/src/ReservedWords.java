/*
 * Prints the reserved words of Flink's SQL parser, one per line, sorted: the words Flink refuses as
 * unquoted identifiers. Run by scripts/flink-reserved-words.mjs, which writes them into
 * src/sql/flink-reserved.ts. The parser lives inside flink-table-planner.jar, which
 * flink-table-planner-loader hides from the classpath; the script extracts it first.
 */
import java.io.StringReader;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class ReservedWords {
  public static void main(String[] args) throws Exception {
    Class<?> c = Class.forName("org.apache.flink.sql.parser.impl.FlinkSqlParserImpl");
    Object parser = c.getConstructor(java.io.Reader.class).newInstance(new StringReader(""));
    Object metadata = c.getMethod("getMetadata").invoke(parser);
    Method tokens = metadata.getClass().getMethod("getTokens");
    Method reserved = metadata.getClass().getMethod("isReservedWord", String.class);
    List<String> out = new ArrayList<>();
    for (Object t : (List<?>) tokens.invoke(metadata)) {
      String word = (String) t;
      if ((Boolean) reserved.invoke(metadata, word)) out.add(word);
    }
    Collections.sort(out);
    for (String w : out) System.out.println(w);
  }
}
