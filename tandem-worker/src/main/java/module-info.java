/** The runtime inside each worker JVM. Nothing is exported: the JVM runs its main class. */
module dev.tandem.worker {
    requires dev.tandem.protocol;
    requires dev.tandem.ipc;
    requires jdk.management; // HeapTrim: the idle trim sets MaxHeapFreeRatio for one collection
}
