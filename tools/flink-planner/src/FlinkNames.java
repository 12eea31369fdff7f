/*
 * Names from Flink 1.20's own parser and function catalogue, for the analyser to agree with:
 *   "reserved <WORD>"   a reserved keyword of FlinkSqlParserImpl (cannot be an unquoted identifier)
 *   "function <NAME>"   a function SQL can call: FlinkSqlOperatorTable's functions and the core
 *                       module's built-in functions with a SQL name
 *   "signature <NAME> <SIG>"  one allowed operand signature of a plain Calcite-style function of
 *                       FlinkSqlOperatorTable (SqlOperator.getAllowedSignatures()), e.g.
 *                       'REGEXP_EXTRACT(<CHARACTER>, <CHARACTER>, <INTEGER>)': the operand families
 *                       the validator checks (Flink's validator has implicit type coercion off)
 * scripts/flink-agreement.mjs --flink-names writes them to src/sql/flink-names.ts; every agreement run
 * checks that file is still what Flink says.
 */
import java.io.StringReader;
import java.util.TreeSet;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.parser.SqlAbstractParserImpl;
import org.apache.flink.sql.parser.impl.FlinkSqlParserImpl;
import org.apache.flink.table.module.CoreModule;
import org.apache.flink.table.planner.functions.sql.FlinkSqlOperatorTable;

public class FlinkNames {
  public static void main(String[] args) {
    SqlAbstractParserImpl.Metadata metadata = FlinkSqlParserImpl.FACTORY.getParser(new StringReader("")).getMetadata();
    TreeSet<String> reserved = new TreeSet<>();
    for (String token : metadata.getTokens()) if (metadata.isReservedWord(token)) reserved.add(token);
    TreeSet<String> functions = new TreeSet<>();
    for (SqlOperator op : FlinkSqlOperatorTable.instance(false).getOperatorList()) {
      if (op instanceof SqlFunction && !op.getName().startsWith("$")) functions.add(op.getName());
    }
    // The core module lists Table API names too (camelCase); SQL names are upper case.
    for (String name : CoreModule.INSTANCE.listFunctions(false)) if (name.matches("[A-Z][A-Z0-9_]*")) functions.add(name);
    java.util.TreeMap<String, java.util.List<String>> signatures = new java.util.TreeMap<>();
    for (SqlOperator op : FlinkSqlOperatorTable.instance(false).getOperatorList()) {
      // Only plain SqlFunctions: other subclasses (SUBSTRING, TRIM, the aggregates...) have their own
      // operand checks that the listed signatures do not describe.
      // OVERLAY, POSITION, TIMESTAMPADD and TIMESTAMPDIFF check the families their signatures list
      // (PLACING, IN, FROM and FOR separate operands).
      boolean plain = op.getClass() == SqlFunction.class || java.util.Set.of("SqlOverlayFunction", "SqlPositionFunction", "SqlTimestampAddFunction", "SqlTimestampDiffFunction").contains(op.getClass().getSimpleName());
      if (!plain || op.getName().startsWith("$")) continue;
      String allowed;
      try {
        allowed = op.getAllowedSignatures();
      } catch (RuntimeException e) {
        continue;
      }
      signatures.computeIfAbsent(op.getName(), k -> new java.util.ArrayList<>()).addAll(java.util.Arrays.asList(allowed.split("\n")));
    }
    java.util.Set<String> calciteNames = new TreeSet<>();
    for (SqlOperator op : FlinkSqlOperatorTable.instance(false).getOperatorList()) calciteNames.add(op.getName());
    java.util.TreeMap<String, java.util.List<String>> typed = new java.util.TreeMap<>();
    for (org.apache.flink.table.functions.BuiltInFunctionDefinition d : org.apache.flink.table.functions.BuiltInFunctionDefinitions.getDefinitions()) {
      String name = d.getSqlName();
      if (name == null || !name.matches("[A-Z][A-Z0-9_]*") || calciteNames.contains(name) || typed.containsKey(name)) continue;
      java.util.List<String> sigs = new java.util.ArrayList<>();
      try {
        // Built-in definitions without a runtime class ignore the data type factory.
        for (org.apache.flink.table.types.inference.Signature sig : d.getTypeInference(null).getInputTypeStrategy().getExpectedSignatures(d)) {
          StringBuilder b = new StringBuilder(name).append('(');
          boolean first = true;
          for (org.apache.flink.table.types.inference.Signature.Argument arg : sig.getArguments()) {
            if (!first) b.append(", ");
            first = false;
            b.append(arg.getName().map(n -> n + " ").orElse("")).append(arg.getType());
          }
          sigs.add(b.append(')').toString());
        }
      } catch (RuntimeException e) {
        continue;
      }
      typed.put(name, sigs);
    }
    for (String word : reserved) System.out.println("reserved " + word);
    for (String name : functions) System.out.println("function " + name);
    for (java.util.Map.Entry<String, java.util.List<String>> e : signatures.entrySet()) {
      for (String sig : e.getValue()) System.out.println("signature " + e.getKey() + " " + sig.trim());
    }
    for (java.util.Map.Entry<String, java.util.List<String>> e : typed.entrySet()) {
      for (String sig : e.getValue()) System.out.println("typed " + e.getKey() + " " + sig.replace('\n', ' ').trim());
    }
  }
}
