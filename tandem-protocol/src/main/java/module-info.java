/** The wire format between a Tandem caller and its worker JVMs. Internal: exported only to them. */
module dev.tandem.protocol {
    requires dev.tandem.ipc;

    exports dev.tandem.protocol to
            dev.tandem,
            dev.tandem.worker;
}
