package io.cxt.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import net.jqwik.api.Tag;
import net.jqwik.api.TagList;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The jqwik counterpart of {@link EspKernelCondition}: properties and containers tagged
 * {@code @net.jqwik.api.Tag("esp-kernel")} are skipped with {@link EspKernel#SKIP_REASON} on a
 * kernel without ESP. jqwik registers it from {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class EspKernelSkipHook implements SkipExecutionHook {

    /** A global hook applies only to the engine's root unless it propagates. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if (!tags(context).contains(EspKernel.TAG)) {
            return SkipResult.doNotSkip();
        }
        return EspKernel.skipReason().map(SkipResult::skip).orElseGet(SkipResult::doNotSkip);
    }

    private static List<String> tags(LifecycleContext context) {
        List<String> tags = new ArrayList<>();
        context.findRepeatableAnnotations(Tag.class).forEach(t -> tags.add(t.value()));
        context.findAnnotationsInContainer(Tag.class).forEach(t -> tags.add(t.value()));
        context.findAnnotationsInContainer(TagList.class)
                .forEach(list -> List.of(list.value()).forEach(t -> tags.add(t.value())));
        // A container's own tags when the context is the container itself.
        Optional<AnnotatedElement> element = context.optionalElement();
        element.filter(Class.class::isInstance).ifPresent(c -> {
            for (Tag t : c.getAnnotationsByType(Tag.class)) {
                tags.add(t.value());
            }
        });
        return tags;
    }
}
