/** The {@code tandem} command line. */
module dev.tandem.cli {
    requires dev.tandem;
    requires dev.tandem.cluster;
    requires dev.tandem.lab;
    requires dev.tandem.advisor;
    requires dev.tandem.measure;
    requires info.picocli;
    requires jdk.management;

    opens dev.tandem.cli to
            info.picocli;
}
