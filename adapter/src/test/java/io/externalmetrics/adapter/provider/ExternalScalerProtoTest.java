package io.externalmetrics.adapter.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.externalmetrics.proto.keda.ExternalScalerProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Pins our copy of KEDA's {@code externalscaler.proto} to KEDA's wire names and numbers
 * (github.com/kedacore/keda, pkg/scalers/externalscaler/externalscaler.proto): a renamed package,
 * method or message, or a renumbered field, would make existing scalers answer UNIMPLEMENTED or
 * misread every call.
 */
class ExternalScalerProtoTest {

    @Test
    void proto_hasKedasPackageServiceMethodsMessagesAndFieldNumbers() {
        FileDescriptor file = ExternalScalerProto.getDescriptor();
        List<String> shape = new ArrayList<>();
        file.getServices().forEach(service -> service.getMethods().forEach(method -> shape.add(
                service.getFullName() + "." + method.getName() + "(" + method.getInputType().getFullName() + ") "
                        + (method.isServerStreaming() ? "stream " : "") + method.getOutputType().getFullName())));
        file.getMessageTypes().forEach(message -> shape.add(message(message)));

        assertThat(file.getPackage()).isEqualTo("externalscaler");
        assertThat(shape).containsExactly(
                "externalscaler.ExternalScaler.IsActive(externalscaler.ScaledObjectRef) "
                        + "externalscaler.IsActiveResponse",
                "externalscaler.ExternalScaler.StreamIsActive(externalscaler.ScaledObjectRef) "
                        + "stream externalscaler.IsActiveResponse",
                "externalscaler.ExternalScaler.GetMetricSpec(externalscaler.ScaledObjectRef) "
                        + "externalscaler.GetMetricSpecResponse",
                "externalscaler.ExternalScaler.GetMetrics(externalscaler.GetMetricsRequest) "
                        + "externalscaler.GetMetricsResponse",
                "ScaledObjectRef{name=1 string, namespace=2 string, scalerMetadata=3 map<string,string>}",
                "IsActiveResponse{result=1 bool}",
                "GetMetricSpecResponse{metricSpecs=1 repeated externalscaler.MetricSpec}",
                "MetricSpec{metricName=1 string, targetSize=2 int64, targetSizeFloat=3 double}",
                "GetMetricsRequest{scaledObjectRef=1 externalscaler.ScaledObjectRef, metricName=2 string}",
                "GetMetricsResponse{metricValues=1 repeated externalscaler.MetricValue}",
                "MetricValue{metricName=1 string, metricValue=2 int64, metricValueFloat=3 double}");
    }

    private static String message(Descriptor message) {
        List<String> fields = new ArrayList<>();
        for (FieldDescriptor field : message.getFields()) {
            fields.add(field.getName() + "=" + field.getNumber() + " " + type(field));
        }
        return message.getName() + "{" + String.join(", ", fields) + "}";
    }

    private static String type(FieldDescriptor field) {
        if (field.isMapField()) {
            List<FieldDescriptor> entry = field.getMessageType().getFields();
            return "map<" + type(entry.get(0)) + "," + type(entry.get(1)) + ">";
        }
        String type = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                ? field.getMessageType().getFullName()
                : field.getType().name().toLowerCase(Locale.ROOT);
        return (field.isRepeated() ? "repeated " : "") + type;
    }
}
