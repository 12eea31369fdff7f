/*
 * Flink's own planner as the judge of Flink SQL (issue 11). Offline: no cluster, just the Flink
 * 1.20.3 jars the stack downloads, with the planner taken out of flink-table-planner-loader so its
 * metadata (upsert keys, changelog traits) can be read. One JVM for a whole batch, because JVM and
 * planner start-up dominate on a small machine.
 *
 * stdin: one JSON object per line,
 *   {"id", "statements": ["SET ...", "CREATE TEMPORARY TABLE ...", "INSERT INTO ..."]}      a compiled job
 *   {"id", "statements": ["CREATE TEMPORARY TABLE ..."], "query": "SELECT ..."}             a query alone
 * stdout: one JSON object per line,
 *   {"id", "accepted", "error", "columns": [{"name", "type", "time"?: "rowtime" | "proctime"}], "changelog_mode": "I,UA,D",
 *    "upsert_keys": [["a", "b"]], "upsert_materialize", "operators": ["GroupAggregate", ...]}
 * For an INSERT the changelog mode, upsert keys and operators are those of the sink's input; for a
 * query, of the query's root. Upsert keys are named by the output columns of that node.
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentImpl;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.operations.Operation;
import org.apache.flink.table.planner.calcite.FlinkTypeFactory;
import org.apache.flink.table.planner.delegation.PlannerBase;
import org.apache.flink.table.planner.plan.metadata.FlinkRelMetadataQuery;
import org.apache.flink.table.planner.plan.nodes.physical.stream.StreamPhysicalRel;
import org.apache.flink.table.planner.plan.nodes.physical.stream.StreamPhysicalSink;
import org.apache.flink.table.planner.plan.utils.ChangelogPlanUtils;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.types.RowKind;

public class PlannerJudge {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.Map<List<String>, TableEnvironment> ENVIRONMENTS = new java.util.HashMap<>();
  // INSERT INTO `t` [(`a`, `b`)] <query>: the query is what the sink consumes.
  private static final Pattern INSERT = Pattern.compile("(?is)^\\s*INSERT\\s+INTO\\s+(`(?:[^`]|``)+`|[\\w.]+)\\s*(\\([^)]*\\))?\\s*(.*)$");

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
    // An environment per set of DDL statements, as every job runs in its own SQL Gateway session;
    // jobs with the same DDL (the corpus queries) share one, since planning changes no catalog.
    String insert = null;
    List<String> ddl = new ArrayList<>();
    for (JsonNode s : job.path("statements")) {
      String sql = s.asText().trim();
      String head = sql.toUpperCase();
      if (head.startsWith("SET ") || head.startsWith("RESET ")) continue; // session options do not change planning
      if (head.startsWith("INSERT")) insert = sql;
      else ddl.add(sql);
    }
    TableEnvironment tEnv = ENVIRONMENTS.get(ddl);
    try {
      if (tEnv == null) {
        tEnv = TableEnvironment.create(settings);
        for (String sql : ddl) tEnv.executeSql(sql);
        if (ENVIRONMENTS.size() > 32) ENVIRONMENTS.clear();
        ENVIRONMENTS.put(ddl, tEnv);
      }
    } catch (Throwable e) {
      // The job's own DDL is refused: the job is.
      r.put("accepted", false);
      r.put("error", message(e));
      return r;
    }
    try {
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
            LogicalType type = c.getDataType().getLogicalType();
            col.put("type", typeString(type));
            if (LogicalTypeChecks.isRowtimeAttribute(type)) col.put("time", "rowtime");
            else if (LogicalTypeChecks.isProctimeAttribute(type)) col.put("time", "proctime");
          }
        } catch (Exception e) {
          r.put("columns_error", message(e));
        }
      }
      TableEnvironmentImpl env = (TableEnvironmentImpl) tEnv;
      PlannerBase planner = (PlannerBase) env.getPlanner();
      List<Operation> operations = env.getParser().parse(insert != null ? insert : query);
      // The graphs EXPLAIN builds: optimized physical plan, exec graph, stream graph (errors of every stage).
      RelNode root = planner.getExplainGraphs(operations)._2().head();
      r.put("accepted", true);
      RelNode node = root;
      if (root instanceof StreamPhysicalSink) {
        r.put("upsert_materialize", ((StreamPhysicalSink) root).upsertMaterialize());
        node = root.getInput(0);
      }
      if (node instanceof StreamPhysicalRel) {
        scala.Option<ChangelogMode> mode = ChangelogPlanUtils.getChangelogMode((StreamPhysicalRel) node);
        if (mode.isDefined()) r.put("changelog_mode", kinds(mode.get()));
      }
      // Time attributes that survive optimization (a regular join or an aggregation materializes them).
      ArrayNode times = r.putArray("plan_time_attributes");
      for (org.apache.calcite.rel.type.RelDataTypeField f : node.getRowType().getFieldList()) {
        if (FlinkTypeFactory.isRowtimeIndicatorType(f.getType())) times.addObject().put("name", f.getName()).put("kind", "rowtime");
        else if (FlinkTypeFactory.isProctimeIndicatorType(f.getType())) times.addObject().put("name", f.getName()).put("kind", "proctime");
      }
      FlinkRelMetadataQuery mq = FlinkRelMetadataQuery.reuseOrCreate(node.getCluster().getMetadataQuery());
      Set<ImmutableBitSet> keys = mq.getUpsertKeys(node);
      if (keys != null) {
        // The plan's field names are internal (a rank column is w0$o0): name keys by the output columns.
        List<String> names = node.getRowType().getFieldNames();
        if (r.has("columns") && r.get("columns").size() == names.size()) {
          names = new ArrayList<>();
          for (JsonNode c : r.get("columns")) names.add(c.get("name").asText());
        }
        ArrayNode ks = r.putArray("upsert_keys");
        List<List<String>> all = new ArrayList<>();
        for (ImmutableBitSet key : keys) {
          List<String> k = new ArrayList<>();
          for (int i : key) k.add(names.get(i));
          all.add(k);
        }
        // Smallest keys first, then by name: a stable order for review.
        all.sort((a, b) -> a.size() != b.size() ? a.size() - b.size() : String.join(",", a).compareTo(String.join(",", b)));
        for (List<String> k : all) {
          ArrayNode a = ks.addArray();
          k.forEach(a::add);
        }
      }
      TreeSet<String> operators = new TreeSet<>();
      collectOperators(node, operators);
      ArrayNode ops = r.putArray("operators");
      operators.forEach(ops::add);
    } catch (Throwable e) {
      r.remove("columns");
      r.put("accepted", false);
      r.put("error", message(e));
    }
    return r;
  }

  /** The SQL spelling of a type; CHAR(0) (the literal '') has none, its summary is the same text. */
  static String typeString(LogicalType type) {
    try {
      return type.asSerializableString();
    } catch (Exception e) {
      return type.copy(type.isNullable()).asSummaryString().replaceAll(" \\*(ROWTIME|PROCTIME)\\*", "");
    }
  }

  static String kinds(ChangelogMode mode) {
    List<String> k = new ArrayList<>();
    if (mode.contains(RowKind.INSERT)) k.add("I");
    if (mode.contains(RowKind.UPDATE_BEFORE)) k.add("UB");
    if (mode.contains(RowKind.UPDATE_AFTER)) k.add("UA");
    if (mode.contains(RowKind.DELETE)) k.add("D");
    return String.join(",", k);
  }

  /** Physical operator names of the plan (StreamPhysicalGroupAggregate → GroupAggregate), without exchanges and calcs. */
  static void collectOperators(RelNode node, Set<String> into) {
    String name = node.getClass().getSimpleName().replaceFirst("^StreamPhysical", "");
    if (!name.equals("Exchange") && !name.equals("Calc")) into.add(name);
    for (RelNode input : node.getInputs()) collectOperators(input, into);
  }

  /** Every message of the cause chain; the innermost is usually Flink's real reason. */
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
