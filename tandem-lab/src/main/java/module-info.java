/** tandem lab: measures every claim of the note on this machine and writes a report. */
module dev.tandem.lab {
    requires dev.tandem;
    requires dev.tandem.ipc;
    requires info.picocli;

    exports dev.tandem.lab;
    opens dev.tandem.lab to info.picocli;
}
