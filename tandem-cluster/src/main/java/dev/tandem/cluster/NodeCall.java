package dev.tandem.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * The one thing a caller sends a node through Hazelcast's executor: a sealed {@link Wire} message
 * as opaque bytes. On the node, {@link #call()} hands them to its {@link NodeService} and returns
 * the sealed answer as the call's value, never as an exception (a Hazelcast client would turn
 * Tandem's exception types into {@code UndefinedErrorCodeException}).
 */
final class NodeCall implements Callable<byte[]>, IdentifiedDataSerializable, HazelcastInstanceAware {
    static final int CLASS_ID = 1;

    private byte[] message;
    private transient HazelcastInstance instance;

    NodeCall() {}

    NodeCall(byte[] message) {
        this.message = message;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.instance = hazelcastInstance;
    }

    @Override
    public byte[] call() {
        NodeService service = NodeService.of(instance);
        return service == null ? Wire.BAD_SEAL_MESSAGE : service.handle(message);
    }

    @Override
    public int getFactoryId() {
        return Wire.FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(message);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        message = in.readByteArray();
        if (message != null && message.length > Wire.MAX_MESSAGE) {
            throw new IOException("a Tandem message of " + message.length + " bytes is over the limit");
        }
    }
}
