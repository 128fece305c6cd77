/** The application that tandem-it launches in every way Java launches programs. */
module app {
    requires dev.tandem;

    exports dev.tandem.it.app;
}
