/** Inter-process primitives over shared memory (FFM): placeholder until they land. */
package dev.tandem.ipc;
