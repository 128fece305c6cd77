/**
 * tandem lab: measures every claim of the note on this machine and writes a report.
 *
 * <p>Only {@code dev.tandem.lab.LabCommand} is public: the CLI registers it as {@code tandem lab}.
 */
module dev.tandem.lab {
    requires dev.tandem;
    requires dev.tandem.cluster;
    requires dev.tandem.ipc;
    requires dev.tandem.measure;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires me.tongfei.progressbar;
    requires com.networknt.schema;
    requires jdk.management;

    exports dev.tandem.lab;

    opens dev.tandem.lab to
            info.picocli,
            com.fasterxml.jackson.databind;
}
