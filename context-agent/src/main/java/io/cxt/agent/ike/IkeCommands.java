package io.cxt.agent.ike;

import java.util.Map;

import io.cxt.agent.control.ControlException;

/**
 * The IKE part of the control protocol, for the control handler to delegate to: {@code ike-import}
 * ({@code json} = a cxt-ike-sa/1 document, optional {@code mn} = owner address) -> OperationResult,
 * {@code ike-list} -> {@code List<IkeSaView>}, {@code ike-show} ({@code spi} = initiator SPI in hex)
 * -> IkeSaView, {@code ike-remove} ({@code spi}) -> OperationResult.
 */
@FunctionalInterface
public interface IkeCommands {

    /** Whether {@code command} is one of this interface's commands. */
    static boolean isIkeCommand(String command) {
        return command != null && command.startsWith("ike-");
    }

    Object handleIke(String command, Map<String, String> arguments) throws ControlException;
}
