/*
 * Flink's own schema converters as the judge of streamt's type mapping (src/schemas/). Offline:
 * no cluster, only the Flink jars the stack downloads plus flink-protobuf.
 *
 * stdin:  one JSON object per line:
 *         {"id", "format": "avro", "schema": "<Avro schema text>"}
 *         {"id", "format": "protobuf", "descriptor_set": "<base64 FileDescriptorSet>", "message": "pkg.Msg"}
 * stdout: one JSON object per line: {"id", "type": "<Flink type, summary form>"} or {"id", "error": "..."}
 *
 * Avro: AvroSchemaConverter.convertToDataType(String), what the avro-confluent format derives
 * (legacy timestamp mapping, the format's default). Protobuf: PbToRowTypeUtil.generateRowType,
 * what the protobuf format derives from a message descriptor.
 */
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.formats.protobuf.util.PbToRowTypeUtil;

public class SchemaJudge {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    System.setOut(System.err);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      JsonNode c = JSON.readTree(line);
      ObjectNode r = JSON.createObjectNode();
      r.put("id", c.path("id").asText());
      try {
        String format = c.path("format").asText();
        if (format.equals("avro")) {
          r.put("type", AvroSchemaConverter.convertToDataType(c.path("schema").asText()).getLogicalType().asSummaryString());
        } else if (format.equals("protobuf")) {
          Descriptor d = message(c.path("descriptor_set").asText(), c.path("message").asText());
          r.put("type", PbToRowTypeUtil.generateRowType(d).asSummaryString());
        } else {
          throw new IllegalArgumentException("unknown format " + format);
        }
      } catch (Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        r.put("error", root.getClass().getSimpleName() + ": " + root.getMessage());
      }
      out.println(JSON.writeValueAsString(r));
    }
  }

  /** Builds every file of the set (each may use any file built before it) and finds the message. */
  static Descriptor message(String base64, String name) throws Exception {
    FileDescriptorSet set = FileDescriptorSet.parseFrom(Base64.getDecoder().decode(base64));
    List<FileDescriptorProto> pending = new ArrayList<>(set.getFileList());
    List<FileDescriptor> built = new ArrayList<>();
    while (!pending.isEmpty()) {
      boolean progress = false;
      for (FileDescriptorProto p : new ArrayList<>(pending)) {
        FileDescriptorProto.Builder b = p.toBuilder().clearDependency();
        for (FileDescriptor f : built) b.addDependency(f.getName());
        try {
          built.add(FileDescriptor.buildFrom(b.build(), built.toArray(new FileDescriptor[0])));
          pending.remove(p);
          progress = true;
        } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
          if (pending.size() == 1) throw e;
        }
      }
      if (!progress) throw new IllegalArgumentException("the descriptor set does not resolve");
    }
    for (FileDescriptor f : built) {
      String pkg = f.getPackage();
      String local = pkg.isEmpty() ? name : name.startsWith(pkg + ".") ? name.substring(pkg.length() + 1) : null;
      if (local == null) continue;
      Descriptor d = f.findMessageTypeByName(local.contains(".") ? local.substring(0, local.indexOf('.')) : local);
      if (d == null) continue;
      for (String part : local.contains(".") ? local.substring(local.indexOf('.') + 1).split("\\.") : new String[0]) d = d.findNestedTypeByName(part);
      if (d != null) return d;
    }
    throw new IllegalArgumentException("message " + name + " not found");
  }
}
