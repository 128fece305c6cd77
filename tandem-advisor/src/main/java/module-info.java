/**
 * {@code tandem advise}: runs the user's task under every execution model on this machine, measures
 * each, and recommends one with reasons. Entry points: {@link dev.tandem.advisor.Advisor} (Java) and
 * {@link dev.tandem.advisor.AdviseCommand} (command line).
 */
module dev.tandem.advisor {
    requires dev.tandem;
    requires dev.tandem.ipc;
    requires dev.tandem.measure;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires java.management;
    requires jdk.management;

    exports dev.tandem.advisor;

    opens dev.tandem.advisor to
            info.picocli,
            com.fasterxml.jackson.databind;
}
