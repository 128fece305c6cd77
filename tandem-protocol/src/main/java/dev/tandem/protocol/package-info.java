/** Frames, codecs and the decoding filter shared by the caller and its workers. */
package dev.tandem.protocol;
