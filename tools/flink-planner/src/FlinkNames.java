/*
 * Names from Flink 1.20's own parser and function catalogue, for the analyser to agree with:
 *   "reserved <WORD>"   a reserved keyword of FlinkSqlParserImpl (cannot be an unquoted identifier)
 *   "function <NAME>"   a function SQL can call: FlinkSqlOperatorTable's functions and the core
 *                       module's built-in functions with a SQL name
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
    for (String word : reserved) System.out.println("reserved " + word);
    for (String name : functions) System.out.println("function " + name);
  }
}
