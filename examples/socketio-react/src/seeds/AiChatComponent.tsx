// Seed 001's React component, verbatim but for the server URL (__AI_URL__) and the export.
import { useState, useEffect } from 'react';
import { io, Socket } from 'socket.io-client';

interface Message {
  role: 'user' | 'assistant';
  content: string;
}

export function AiChatComponent({ userId, accessToken }) {
  const [socket, setSocket] = useState<Socket | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState('');
  const [isStreaming, setIsStreaming] = useState(false);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [currentResponse, setCurrentResponse] = useState('');

  // Initialize WebSocket
  useEffect(() => {
    const newSocket = io(__AI_URL__, {
      auth: { token: accessToken },
      transports: ['websocket'],
    });

    newSocket.on('connect', () => {
      console.log('Connected to AI WebSocket');
    });

    newSocket.on('chat:conversation', (data) => {
      setConversationId(data.conversationId);
    });

    newSocket.on('chat:user-message', (data) => {
      // User message confirmed
      setMessages(prev => [...prev, {
        role: 'user',
        content: data.content
      }]);
    });

    newSocket.on('chat:message', (data) => {
      // Accumulate AI response
      setCurrentResponse(prev => prev + data.content);
    });

    newSocket.on('chat:end', (data) => {
      // Add complete AI response to messages
      setMessages(prev => [...prev, {
        role: 'assistant',
        content: currentResponse
      }]);
      setCurrentResponse('');
      setIsStreaming(false);
    });

    newSocket.on('chat:error', (error) => {
      console.error('Error:', error.message);
      alert('Error: ' + error.message);
      setIsStreaming(false);
      setCurrentResponse('');
    });

    setSocket(newSocket);

    return () => {
      newSocket.close();
    };
  }, [accessToken]);

  const sendMessage = () => {
    if (!socket || !input.trim() || isStreaming) return;

    setIsStreaming(true);
    setCurrentResponse('');

    socket.emit('chat:start', {
      userId,
      message: input,
      conversationId,
      model: 'gpt-4',
      maxTokens: 4096,
      temperature: 0.7
    });

    setInput('');
  };

  const stopStreaming = () => {
    if (socket) {
      socket.emit('chat:stop');
      setIsStreaming(false);
      setCurrentResponse('');
    }
  };

  return (
    <div className="ai-chat">
      <div className="messages">
        {messages.map((msg, idx) => (
          <div key={idx} className={`message ${msg.role}`}>
            <strong>{msg.role}:</strong> {msg.content}
          </div>
        ))}
        
        {currentResponse && (
          <div className="message assistant streaming">
            <strong>assistant:</strong> {currentResponse}
            <span className="cursor">▊</span>
          </div>
        )}
      </div>

      <div className="input-area">
        <input
          type="text"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyPress={(e) => e.key === 'Enter' && sendMessage()}
          disabled={isStreaming}
          placeholder="Type your message..."
        />
        
        {!isStreaming ? (
          <button onClick={sendMessage} disabled={!input.trim()}>
            Send
          </button>
        ) : (
          <button onClick={stopStreaming}>
            Stop
          </button>
        )}
      </div>
    </div>
  );
}
