/** Inter-process primitives over shared memory. */
module dev.tandem.ipc {
    exports dev.tandem.ipc;
}
