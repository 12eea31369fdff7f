/*
 * Flink's own planner as the judge of compiled streamt jobs (issue 11). Offline: no cluster, just
 * the Flink 1.20.3 jars the stack downloads. One JVM for a whole batch, because JVM and planner
 * start-up dominate on a small machine.
 *
 * stdin: one JSON object per line, {"id": "...", "statements": ["SET ...", "CREATE TEMPORARY TABLE ...", "INSERT INTO ..."]}
 *        or {"id", "statements": [CREATE ...], "query": "SELECT ..."}: the query alone, as a corpus entry is written
 * stdout: one JSON object per line, {"id", "accepted", "error", "changelog_mode", "upsert_materialize", "columns": [{"name","type"}]}
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;

public class PlannerJudge {
  private static final ObjectMapper JSON = new ObjectMapper();
  // INSERT INTO `t` [(`a`, `b`)] <query>: the query is what the sink consumes.
  private static final Pattern INSERT = Pattern.compile("(?is)^\\s*INSERT\\s+INTO\\s+(`(?:[^`]|``)+`|[\\w.]+)\\s*(\\([^)]*\\))?\\s*(.*)$");
  private static final Pattern CHANGELOG = Pattern.compile("changelogMode=\\[([^\\]]*)\\]");

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    // Flink logs to stdout through log4j defaults; keep stdout for results only.
    System.setOut(System.err);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    EnvironmentSettings settings = EnvironmentSettings.newInstance().inStreamingMode().build();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      JsonNode job = JSON.readTree(line);
      out.println(JSON.writeValueAsString(judge(settings, job)));
    }
  }

  static ObjectNode judge(EnvironmentSettings settings, JsonNode job) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", job.path("id").asText());
    // A fresh environment per job: every job runs in its own SQL Gateway session.
    TableEnvironment tEnv = TableEnvironment.create(settings);
    String insert = null;
    try {
      for (JsonNode s : job.path("statements")) {
        String sql = s.asText().trim();
        String head = sql.toUpperCase();
        if (head.startsWith("SET ") || head.startsWith("RESET ")) continue; // session options do not change planning
        if (head.startsWith("INSERT")) {
          insert = sql;
          continue;
        }
        tEnv.executeSql(sql);
      }
      String query = job.hasNonNull("query") ? job.get("query").asText() : null;
      if (insert == null && query == null) throw new IllegalArgumentException("no INSERT statement in the job");
      if (query == null) {
        Matcher m = INSERT.matcher(insert);
        if (m.matches()) query = m.group(3);
      }
      if (query != null) {
        try {
          ResolvedSchema schema = tEnv.sqlQuery(query).getResolvedSchema();
          ArrayNode cols = r.putArray("columns");
          for (Column c : schema.getColumns()) {
            ObjectNode col = cols.addObject();
            col.put("name", c.getName());
            col.put("type", c.getDataType().getLogicalType().asSerializableString());
          }
        } catch (Exception e) {
          r.put("columns_error", message(e));
        }
      }
      String plan = tEnv.explainSql(insert != null ? insert : query, ExplainDetail.CHANGELOG_MODE);
      r.put("accepted", true);
      String physical = section(plan, "== Optimized Physical Plan ==");
      String[] lines = physical.strip().split("\n");
      // With an INSERT, line 0 is the Sink and line 1 its input, whose changelog mode the sink
      // consumes; a bare query's root is line 0.
      int root = insert != null ? 1 : 0;
      if (lines.length > root) {
        Matcher cm = CHANGELOG.matcher(lines[root]);
        if (cm.find()) r.put("changelog_mode", cm.group(1));
      }
      // Flink adds upsert materialization when the input's upsert key is not the sink's primary key.
      r.put("upsert_materialize", lines.length > 0 && lines[0].contains("upsertMaterialize=[true]"));
      r.put("sink_plan", lines.length > 0 ? lines[0].strip() : "");
    } catch (Throwable e) {
      r.put("accepted", false);
      r.put("error", message(e));
    }
    return r;
  }

  static String section(String plan, String title) {
    int i = plan.indexOf(title);
    if (i < 0) return "";
    String rest = plan.substring(i + title.length());
    int j = rest.indexOf("\n== ");
    return j < 0 ? rest : rest.substring(0, j);
  }

  /** The innermost cause is usually Flink's real reason (the outer ones say "SQL validation failed"). */
  static String message(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable c = e.getCause();
    while (c != null && c != c.getCause()) {
      b.append(" | ").append(c.getMessage());
      c = c.getCause();
    }
    return b.toString();
  }
}
