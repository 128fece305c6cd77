/** tandem advise: runs the user's task under every model and recommends one, with reasons. */
module dev.tandem.advisor {
    requires dev.tandem;
    requires dev.tandem.lab;
    requires info.picocli;

    exports dev.tandem.advisor;
    opens dev.tandem.advisor to info.picocli;
}
